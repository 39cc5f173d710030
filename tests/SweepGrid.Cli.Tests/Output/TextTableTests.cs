using SweepGrid.Cli.Summaries;
using SweepGrid.Cli.Output;
using SweepGrid.Store;

namespace SweepGrid.Cli.Tests.Output;

/// <summary>
/// The closing tables of `run` and `summary` on terminals of 80 and 140 columns: no line longer than
/// the terminal, what was left out said, and everything when there is no width (a file or a pipe).
/// </summary>
public sealed class TextTableTests
{
    private static readonly string[] Metrics = ["classifier-trace", "hessian-top", "hessian-trace", "relative-flatness", "sharpness"];

    /// <summary>Trials like the quick sweep's (batch × ghost × seed), with every result column filled.</summary>
    private static List<TrialRow> Trials(string regularizer = "weight-decay", double strength = 0) =>
    [
        .. from batch in new long[] { 128, 1024, 2048 }
           from ghost in new long[] { 0, 128 }
           from seed in new long[] { 1, 2 }
           select new TrialRow($"{batch:x4}{ghost:x4}{seed:x4}", Ordinal: 0, "completed", Attempts: 1, Reason: null, Slot: null,
               batch, GridLearningRate: 0.05, 0.05 * Math.Sqrt(batch / 128.0), "sqrt", RegimeAdaptation: true, ghost, regularizer, strength,
               seed, 4L * batch / 128, "mlp", "sgd", "step",
               Steps: 312, TrainLoss: 0.31, TrainAccuracy: 0.8848 + seed / 100.0, TestLoss: 0.45, TestAccuracy: 0.8405 + seed / 200.0,
               WeightDistance: 9.33, Seconds: 11.3, LogFitA: null, LogFitB: null, LogFitR2: null, ResumedFromEpoch: null),
    ];

    private static List<FlatnessRow> Flatness(IEnumerable<TrialRow> trials) =>
    [
        .. from t in trials
           from m in Metrics.Select((name, i) => (name, i))
           select new FlatnessRow(t.Trial, Epoch: 4, m.name, 22.8 + 100 * m.i + t.Seed, StandardError: null, Seconds: 1, Iterations: 1),
    ];

    private static string[] Lines(string text) => text.Split(Environment.NewLine);

    [Theory]
    [InlineData(80)]
    [InlineData(140)]
    public void The_results_table_fits_the_terminal_and_names_what_it_left_out(int width)
    {
        var full = ResultsTable.Render(Trials());
        int natural = Lines(full).Max(l => l.Length);
        Assert.InRange(natural, 81, 140); // wider than 80 columns, narrower than 140

        var fitted = Lines(ResultsTable.Render(Trials(), width));

        Assert.All(fitted, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
        // Every trial is still there, one line each, with its id.
        Assert.All(Trials(), t => Assert.Single(fitted, l => l.StartsWith(t.Trial, StringComparison.Ordinal)));
        if (natural <= width)
        {
            Assert.Equal(Lines(full), fitted);
            return;
        }

        var header = fitted[0].Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.Subset(header.ToHashSet(), new HashSet<string> { "trial", "batch", "lr", "status", "test_acc", "gap" });
        Assert.DoesNotContain("seconds", header);
        var footnote = string.Join(' ', fitted.SkipWhile(l => !l.StartsWith("Left out", StringComparison.Ordinal)));
        Assert.StartsWith($"Left out to fit {width} columns: ", footnote);
        Assert.Contains("seconds", footnote);
        Assert.Contains("--wide shows every column", footnote);
    }

    [Theory]
    [InlineData(80)]
    [InlineData(140)]
    public void The_summary_with_flatness_columns_fits_the_terminal(int width)
    {
        var groups = SeedStatistics.Summarize(Trials(), Flatness(Trials()));
        Assert.True(Lines(SeedSummary.Render(groups, markdown: false)).Max(l => l.Length) > width);

        var fitted = Lines(SeedSummary.Render(groups, markdown: false, width));

        Assert.All(fitted, l => Assert.True(l.Length <= width, $"{l.Length} > {width}: {l}"));
        Assert.StartsWith("setting", fitted[0]);
        Assert.Contains("test acc", fitted[0]);
        Assert.Contains("gap", fitted[0]);
        Assert.Contains(fitted, l => l.StartsWith("Left out to fit", StringComparison.Ordinal));
        Assert.Contains(fitted, l => l.Contains("0.8480 ± 0.0035", StringComparison.Ordinal)); // test accuracy over seeds 1 and 2, uncut
    }

    [Fact]
    public void At_140_columns_the_summary_keeps_more_than_at_80()
    {
        var groups = SeedStatistics.Summarize(Trials(), Flatness(Trials()));
        int Columns(int width) => Lines(SeedSummary.Render(groups, markdown: false, width))[0].Split("  ", StringSplitOptions.RemoveEmptyEntries).Length;
        Assert.True(Columns(140) > Columns(80), $"{Columns(140)} columns at 140, {Columns(80)} at 80");
    }

    [Fact]
    public void A_long_setting_label_wraps_within_its_cell_and_keeps_every_word()
    {
        var groups = SeedStatistics.Summarize(Trials(regularizer: "gradient-norm", strength: 0.000123), []);
        var label = groups.Select(g => SeedStatistics.Label(g.Setting)).MaxBy(l => l.Length)!;
        Assert.True(label.Length > 60, label);

        var fitted = Lines(SeedSummary.Render(groups, markdown: false, 60));

        Assert.All(fitted, l => Assert.True(l.Length <= 60, $"{l.Length} > 60: {l}"));
        var table = fitted.TakeWhile(l => !l.StartsWith("Left out", StringComparison.Ordinal)).ToList();
        Assert.True(table.Count > 2 + groups.Count, "no label was wrapped");
        var words = string.Join(' ', table).Split(' ', StringSplitOptions.RemoveEmptyEntries);
        Assert.All(label.Split(' '), word => Assert.Contains(word, words));
    }

    [Fact]
    public void Without_a_width_every_column_is_printed_on_one_line_per_row_and_nothing_is_left_out()
    {
        var groups = SeedStatistics.Summarize(Trials(), Flatness(Trials()));

        var plain = Lines(SeedSummary.Render(groups, markdown: false));

        Assert.Equal(2 + groups.Count, plain.Length);
        Assert.All(Metrics, m => Assert.Contains(m, plain[0]));
        Assert.Contains("gap (train−test acc)", plain[0]);
        Assert.DoesNotContain(plain, l => l.StartsWith("Left out", StringComparison.Ordinal));
        Assert.Equal(2 + Trials().Count, Lines(ResultsTable.Render(Trials())).Length);
    }

    [Fact]
    public void Words_breaks_at_spaces_and_splits_a_word_longer_than_the_line()
    {
        Assert.Equal(["B=128 lr=0.05", "(sqrt) 4 ep"], TextTable.Words("B=128 lr=0.05 (sqrt) 4 ep", 13));
        Assert.Equal(["abcde", "fgh x"], TextTable.Words("abcdefgh x", 5));
        Assert.Equal([""], TextTable.Words("", 5));
    }
}
