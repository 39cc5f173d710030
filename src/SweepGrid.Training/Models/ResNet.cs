using SweepGrid.Training.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>
/// The CIFAR ResNet of He et al. (2016, "Deep Residual Learning", §4.2): a 3×3 convolution with 16
/// channels, three stages of n basic blocks with 16, 32 and 64 channels (the last two starting with
/// stride 2), global average pooling and a linear classifier; depth 6n + 2 (20, 32, 44, 56, 110).
/// Shortcuts that change shape use the paper's parameter-free option A: subsample and zero-pad channels.
/// </summary>
public sealed class ResNet : nn.Module<Tensor, Tensor>, IClassifierNetwork
{
    private readonly nn.Module<Tensor, Tensor> stem;
    private readonly nn.Module<Tensor, Tensor> stages;
    private readonly Linear classifier;

    public ResNet(IReadOnlyList<int> shape, int depth, int classes, bool batchNorm, int ghostBatchSize)
        : base(nameof(ResNet))
    {
        if ((depth - 2) % 6 != 0) throw new ArgumentException($"CIFAR ResNet depth must be 6n + 2, got {depth}");
        int blocksPerStage = (depth - 2) / 6;
        stem = nn.Sequential(
            ("conv", nn.Conv2d(shape[0], 16, 3, padding: 1, bias: !batchNorm)),
            ("norm", Norms.Create(batchNorm, 16, ghostBatchSize)),
            ("relu", nn.ReLU()));
        var blocks = new List<(string, nn.Module<Tensor, Tensor>)>();
        int inputs = 16;
        foreach (var (width, stage) in new[] { (16, 1), (32, 2), (64, 3) })
        {
            for (int b = 0; b < blocksPerStage; b++)
            {
                int stride = b == 0 && stage > 1 ? 2 : 1;
                blocks.Add(($"stage{stage}_block{b}", new BasicBlock(inputs, width, stride, batchNorm, ghostBatchSize)));
                inputs = width;
            }
        }

        stages = nn.Sequential(blocks);
        classifier = nn.Linear(64, classes);
        RegisterComponents();
    }

    public Tensor ClassifierWeight => classifier.weight;

    public override Tensor forward(Tensor input) => ForwardWithFeatures(input).Logits;

    public (Tensor Logits, Tensor Features) ForwardWithFeatures(Tensor input)
    {
        // The stem's and the stages' outputs go as soon as the next exists (see BasicBlock.forward).
        using var stemmed = stem.forward(input);
        using var staged = stages.forward(stemmed);
        var features = staged.mean([2, 3]);
        return (classifier.forward(features), features);
    }

    private sealed class BasicBlock : nn.Module<Tensor, Tensor>
    {
        private readonly nn.Module<Tensor, Tensor> conv1;
        private readonly nn.Module<Tensor, Tensor> norm1;
        private readonly nn.Module<Tensor, Tensor> conv2;
        private readonly nn.Module<Tensor, Tensor> norm2;
        private readonly int _stride;
        private readonly int _padChannels;

        public BasicBlock(int inputs, int outputs, int stride, bool batchNorm, int ghostBatchSize)
            : base(nameof(BasicBlock))
        {
            conv1 = nn.Conv2d(inputs, outputs, 3, stride: stride, padding: 1, bias: !batchNorm);
            norm1 = Norms.Create(batchNorm, outputs, ghostBatchSize);
            conv2 = nn.Conv2d(outputs, outputs, 3, padding: 1, bias: !batchNorm);
            norm2 = Norms.Create(batchNorm, outputs, ghostBatchSize);
            _stride = stride;
            _padChannels = outputs - inputs;
            RegisterComponents();
        }

        /// <remarks>
        /// Each intermediate is disposed as soon as the next exists. A .NET handle keeps its tensor's
        /// memory until it is disposed (PyTorch frees one when its last reference goes), so otherwise
        /// every activation of the whole pass lived until the caller's dispose scope ended: 0.8 GB for
        /// an evaluation chunk of 256 at 28×28, which a 1G memory cgroup could not hold. Autograd keeps
        /// what backward needs through its own references, so training is unchanged, to the bit.
        /// </remarks>
        public override Tensor forward(Tensor input)
        {
            using var convolved = conv1.forward(input);
            using var normalized = norm1.forward(convolved);
            using var activated = nn.functional.relu(normalized);
            using var convolved2 = conv2.forward(activated);
            using var residual = norm2.forward(convolved2);
            var shortcut = Shortcut(input);
            try
            {
                using var sum = residual.Plus(shortcut);
                return nn.functional.relu(sum);
            }
            finally
            {
                if (!ReferenceEquals(shortcut, input)) shortcut.Dispose();
            }
        }

        /// <summary>Option A: identity (the input itself), or every second pixel with the new channels zero-padded on both sides.</summary>
        private Tensor Shortcut(Tensor input)
        {
            if (_stride == 1 && _padChannels == 0) return input;
            using var sub = input[.., .., TensorIndex.Slice(null, null, _stride), TensorIndex.Slice(null, null, _stride)];
            return nn.functional.pad(sub, [0, 0, 0, 0, _padChannels / 2, _padChannels - _padChannels / 2]);
        }
    }
}
