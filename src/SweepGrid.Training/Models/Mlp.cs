using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>
/// Fully connected classifier: input → [Linear, norm, ReLU] per hidden layer → Linear → logits.
/// With hidden = 5 × 512 and batch norm this is F1 of Hoffer et al. (2017) and Keskar et al. (2017).
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>, IClassifierNetwork
{
    private readonly nn.Module<Tensor, Tensor> body;
    private readonly Linear classifier;

    public Mlp(int inputs, IReadOnlyList<int> hidden, int classes, bool batchNorm, int ghostBatchSize)
        : base(nameof(Mlp))
    {
        var modules = new List<(string, nn.Module<Tensor, Tensor>)>();
        int width = inputs;
        for (int i = 0; i < hidden.Count; i++)
        {
            // With batch norm right after it, a Linear bias is redundant (the norm's shift absorbs it).
            modules.Add(($"fc{i}", nn.Linear(width, hidden[i], hasBias: !batchNorm)));
            if (batchNorm) modules.Add(($"bn{i}", new GhostBatchNorm(hidden[i], ghostBatchSize)));
            modules.Add(($"relu{i}", nn.ReLU()));
            width = hidden[i];
        }

        body = nn.Sequential(modules);
        classifier = nn.Linear(width, classes);
        RegisterComponents();
    }

    public Tensor ClassifierWeight => classifier.weight;

    public override Tensor forward(Tensor input) => classifier.forward(body.forward(input.flatten(1)));

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor input)
    {
        var features = body.forward(input.flatten(1));
        return (classifier.forward(features), features);
    }
}
