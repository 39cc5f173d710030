using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Tests.Runtime;

/// <summary>
/// SweepGrid's SGD and Adam steps (ScalarSafeOptimizers.cs) against TorchSharp's: the same weights bit for
/// bit and the same checkpoint state. Under forced collections TorchSharp's fail and these do not: a bench
/// (bench --scalar-race), since only a Release build shows it reliably.
/// </summary>
public sealed class ScalarSafeOptimizerTests
{
    private static readonly (string Name, Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> Ours, Func<IEnumerable<TorchSharp.Modules.Parameter>, optim.Optimizer> Theirs)[] Optimizers =
    [
        ("sgd", p => new Loop.ScalarSafe.SGD(p, 0.05, 0.9, 5e-4, nesterov: false), p => optim.SGD(p, 0.05, 0.9, weight_decay: 5e-4)),
        ("nesterov", p => new Loop.ScalarSafe.SGD(p, 0.05, 0.9, 5e-4, nesterov: true), p => optim.SGD(p, 0.05, 0.9, weight_decay: 5e-4, nesterov: true)),
        ("plain", p => new Loop.ScalarSafe.SGD(p, 0.1, 0, 0, nesterov: false), p => optim.SGD(p, 0.1)),
        ("adam", p => new Loop.ScalarSafe.Adam(p, 1e-3, 0.9, 0.999, 1e-8, 1e-4), p => optim.Adam(p, 1e-3, 0.9, 0.999, 1e-8, 1e-4)),
    ];

    public static TheoryData<string> Names() => new(Optimizers.Select(o => o.Name));

    [Theory]
    [MemberData(nameof(Names))]
    public void Steps_match_TorchSharps_optimizer_bit_for_bit_and_share_its_checkpoint_state(string name)
    {
        var (_, ours, theirs) = Optimizers.Single(o => o.Name == name);
        using var a = Model(seed: 3);
        using var b = Model(seed: 3);
        var optimizerA = ours(a.parameters());
        var optimizerB = theirs(b.parameters());
        var (x, y) = Data();
        for (int step = 0; step < 12; step++)
        {
            Step(a, optimizerA, x, y, step);
            Step(b, optimizerB, x, y, step);
        }

        AssertSameWeights(a, b);

        // Ours saves what TorchSharp's reads (the checkpoint format is TorchSharp's), and the runs go on alike.
        using var c = Model(seed: 3);
        c.load_state_dict(a.state_dict());
        var optimizerC = theirs(c.parameters());
        using (var stream = new MemoryStream())
        {
            ((TorchSharp.Modules.OptimizerHelper)optimizerA).save_state_dict(new BinaryWriter(stream));
            stream.Position = 0;
            ((TorchSharp.Modules.OptimizerHelper)optimizerC).load_state_dict(new BinaryReader(stream));
        }

        for (int step = 12; step < 18; step++)
        {
            Step(a, optimizerA, x, y, step);
            Step(c, optimizerC, x, y, step);
        }

        AssertSameWeights(a, c);
        Assert.False(a.parameters().Zip(Model(seed: 3).parameters()).All(pair => Same(pair.First, pair.Second)), "the steps moved nothing");
    }

    private static nn.Module<Tensor, Tensor> Model(int seed)
    {
        random.manual_seed(seed);
        return nn.Sequential(nn.Linear(6, 16), nn.ReLU(), nn.Linear(16, 3));
    }

    private static (Tensor X, Tensor Y) Data()
    {
        var generator = new Generator(11);
        return (randn([32, 6], generator: generator), randint(0, 3, [32], generator: generator));
    }

    private static void Step(nn.Module<Tensor, Tensor> model, optim.Optimizer optimizer, Tensor x, Tensor y, int step)
    {
        using var scope = NewDisposeScope();
        optimizer.zero_grad();
        nn.functional.cross_entropy(model.forward(x), y).backward();
        foreach (var group in optimizer.ParamGroups) group.LearningRate *= step == 8 ? 0.5 : 1; // a schedule's change mid-run
        optimizer.step();
    }

    private static void AssertSameWeights(nn.Module<Tensor, Tensor> a, nn.Module<Tensor, Tensor> b) =>
        Assert.All(a.parameters().Zip(b.parameters()), pair => Assert.True(Same(pair.First, pair.Second), "weights differ"));

    /// <summary>Every element equal (exactly; the weights are finite).</summary>
    private static bool Same(Tensor a, Tensor b) => a.eq(b).all().item<bool>();
}
