using SweepGrid.Core.Sweeps;
using SweepGrid.Training.Metrics;
using SweepGrid.Training.Models;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests.Metrics;

/// <summary>
/// The flatness metrics in every order a sweep may list them, by both Hessian methods: a metric that
/// writes the parameters (ε-sharpness's ascent) must not leave a later one with a stale operator. It
/// did: power iteration with sharpness between hessian-top and hessian-trace aborted the worker.
/// State passes between metrics only through the parameters and the shared Hessian operator, so every
/// order of the four metrics that write or share them is run, with the two that do neither (noise
/// scale, relative flatness) put at every position in turn (all 720 orders take minutes).
/// </summary>
public sealed class FlatnessOrderTests
{
    private static readonly string[] Sharing = ["sharpness", "sharpness-subspace", "hessian-top", "hessian-trace"];

    [Theory]
    [InlineData("power")]
    [InlineData("lanczos")]
    public void Every_order_of_the_metrics_measures_all_of_them_and_leaves_the_parameters_as_found(string method)
    {
        random.manual_seed(4);
        using var model = new Mlp(6, [8], 3, batchNorm: true, ghostBatchSize: 0);
        using var generator = new Generator(5);
        var x = randn([48, 6], generator: generator);
        var y = randint(0, 3, [48], generator: generator);
        var before = model.parameters().Select(p => p.detach().clone()).ToList();
        var hessian = method == "power" ? HessianSpec.Power : new HessianSpec("lanczos", LanczosSteps: 4, Vectors: 1, TraceVectors: 3);
        int orders = 0;

        foreach (var (sharing, i) in Permutations(Sharing).Select((order, i) => (order, i)))
        {
            var order = sharing.ToList();
            order.Insert(i % (order.Count + 1), "noise-scale");
            order.Insert((i / 4) % (order.Count + 1), "relative-flatness");
            var spec = new MetricsSpec(EverySteps: 0, Flatness: order, FlatnessEpochs: [], ProbeSize: 48,
                new SharpnessSpec(Epsilon: 1e-3, Steps: 2, SubspaceDimension: 4), PathLength: false, Hessian: hessian,
                NoiseScale: new NoiseScaleSpec(SmallBatch: 4, LargeBatch: 16, Pairs: 2));

            var records = FlatnessSuite.Measure(model, x, y, spec, epoch: 1, seed: 7, out _, (x, y));

            var measured = records.Select(r => r.Metric).ToHashSet();
            Assert.True(order.All(measured.Contains), $"{string.Join(", ", order)}: measured only {string.Join(", ", measured)}");
            Assert.All(records, r => Assert.True(double.IsFinite(r.Value), $"{string.Join(", ", order)}: {r.Metric} = {r.Value}"));
            orders++;
        }

        Assert.Equal(24, orders);
        Assert.All(model.parameters().Zip(before), pair => Assert.True(pair.First.eq(pair.Second).all().item<bool>(), "a parameter changed"));
    }

    private static IEnumerable<IReadOnlyList<string>> Permutations(IReadOnlyList<string> items) =>
        items.Count <= 1
            ? [items]
            : items.SelectMany((first, i) => Permutations([.. items.Where((_, j) => j != i)]).Select(rest => (IReadOnlyList<string>)[first, .. rest]));
}
