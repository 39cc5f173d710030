using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>
/// C1-like shallow convnet (Keskar et al. 2017, Table 1; Hoffer et al. 2017 use the same C1): two
/// blocks of conv 5×5-64, max-pool 3×3 stride 2, norm, ReLU; then fully connected 384 and 192, each
/// with ReLU and dropout; then the linear classifier.
/// </summary>
public sealed class ConvNet : nn.Module<Tensor, Tensor>, IClassifierNetwork
{
    private readonly nn.Module<Tensor, Tensor> convolutions;
    private readonly nn.Module<Tensor, Tensor> dense;
    private readonly Linear classifier;

    public ConvNet(IReadOnlyList<int> shape, int classes, bool batchNorm, int ghostBatchSize, double dropout, long seed)
        : base(nameof(ConvNet))
    {
        int channels = shape[0], height = shape[1], width = shape[2];
        convolutions = nn.Sequential(
            ("conv1", nn.Conv2d(channels, 64, 5, padding: 2, bias: !batchNorm)),
            ("pool1", nn.MaxPool2d(3, stride: 2, padding: 1)),
            ("norm1", Norms.Create(batchNorm, 64, ghostBatchSize)),
            ("relu1", nn.ReLU()),
            ("conv2", nn.Conv2d(64, 64, 5, padding: 2, bias: !batchNorm)),
            ("pool2", nn.MaxPool2d(3, stride: 2, padding: 1)),
            ("norm2", Norms.Create(batchNorm, 64, ghostBatchSize)),
            ("relu2", nn.ReLU()));
        long flat = 64L * Pooled(Pooled(height)) * Pooled(Pooled(width));
        dense = nn.Sequential(
            ("fc1", nn.Linear(flat, 384)),
            ("relu3", nn.ReLU()),
            ("drop1", new SeededDropout(dropout, seed)),
            ("fc2", nn.Linear(384, 192)),
            ("relu4", nn.ReLU()),
            ("drop2", new SeededDropout(dropout, seed + 1)));
        classifier = nn.Linear(192, classes);
        RegisterComponents();
    }

    public Tensor ClassifierWeight => classifier.weight;

    /// <summary>Side length after a 3×3 max-pool with stride 2 and padding 1.</summary>
    private static int Pooled(int size) => (size + 2 - 3) / 2 + 1;

    public override Tensor forward(Tensor input) => ForwardWithFeatures(input).Logits;

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor input)
    {
        var features = dense.forward(convolutions.forward(input).flatten(1));
        return (classifier.forward(features), features);
    }
}
