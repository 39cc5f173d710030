using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>
/// Fully connected classifier: input → [Linear, norm, ReLU] per hidden layer → Linear → logits.
/// With hidden = 5 × 512 and batch norm this is F1 of Hoffer et al. (2017) and Keskar et al. (2017).
/// The last Linear is the classifier layer W whose relative flatness (Petzka et al. 2021) is measured.
/// </summary>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
    private readonly nn.Module<Tensor, Tensor> layers;

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

        modules.Add(("classifier", nn.Linear(width, classes)));
        layers = nn.Sequential(modules);
        RegisterComponents();
    }

    public override Tensor forward(Tensor input) => layers.forward(input);
}
