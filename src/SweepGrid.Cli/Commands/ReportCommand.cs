using SweepGrid.Cli.Reporting;
using SweepGrid.Store;

namespace SweepGrid.Cli.Commands;

/// <summary>`sweepgrid report SWEEP --out DIR`: reads the result tables and writes the HTML report.</summary>
internal static class ReportCommand
{
    public sealed record Options(string Store, string Sweep, string OutDirectory, int Width, int Height);

    public static int Run(Options options, TextWriter output)
    {
        if (options.Width is < 200 or > 4000) throw new UserError($"--width: must be 200 to 4000 pixels, got {options.Width}");
        if (options.Height is < 150 or > 3000) throw new UserError($"--height: must be 150 to 3000 pixels, got {options.Height}");
        var store = Stores.ReadOnly(options.Store);
        var trials = Exporter.TrialRows(store, options.Sweep);
        var data = ReportData.Load(store, options.Sweep, trials);
        var figures = HtmlReport.Figures(data, new ReportPlots(options.Width, options.Height));
        foreach (var path in HtmlReport.Write(options.Sweep, data, figures, options.OutDirectory)) output.WriteLine($"wrote {path}");
        foreach (var f in figures.Where(f => f.Png is null)) output.WriteLine($"left out {f.Title}: {f.Missing}");
        return ExitCodes.Success;
    }
}
