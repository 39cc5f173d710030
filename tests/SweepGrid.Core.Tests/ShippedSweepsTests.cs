using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Core.Tests;

/// <summary>The sweep files shipped in hocon/sweeps (and installed beside the command) are valid and say what their comments say.</summary>
public sealed class ShippedSweepsTests
{
    private static string Folder => Path.Combine(TestMachine.RepoRoot(), "hocon", "sweeps");

    public static TheoryData<string> Files() => new(Directory.GetFiles(Path.Combine(TestMachine.RepoRoot(), "hocon", "sweeps"), "*.hocon").Select(Path.GetFileName)!);

    [Theory]
    [MemberData(nameof(Files))]
    public void Every_shipped_sweep_parses_and_expands(string file)
    {
        var spec = SweepFile.Load(Path.Combine(Folder, file));

        Assert.Equal(Path.GetFileNameWithoutExtension(file), spec.Name);
        Assert.NotEmpty(GridExpansion.Expand(spec));
    }

    [Fact]
    public void The_full_data_study_has_table_1s_columns_at_4096_with_3_seeds_and_the_batch_ladder()
    {
        var spec = SweepFile.Load(Path.Combine(Folder, "gap-fashion-mnist-full.hocon"));
        var trials = GridExpansion.Expand(spec);

        Assert.Equal("data/fashion-mnist-full", spec.Dataset.Path);
        // SB, LB, +LR, +GBN, +RA × 3 seeds, and +RA at 256 … 2048 once.
        Assert.Equal(5 * 3 + 4, trials.Count);
        Assert.Equal([128L, 256, 512, 1024, 2048, 4096], trials.Select(t => (long)t.BatchSize).Distinct().Order());
        // Regime adaptation: as many updates as SB, 32 × the epochs at 4096.
        Assert.Equal(6 * 32, trials.Where(t => t.BatchSize == 4096).Max(t => t.Epochs));
        Assert.Equal([0.85, 0.88], spec.Metrics.TargetsOrNone.Values);
        Assert.Contains("noise-scale", spec.Metrics.Flatness);
    }
}
