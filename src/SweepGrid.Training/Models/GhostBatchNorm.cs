using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>
/// Ghost Batch Normalization (Hoffer, Hubara, Soudry 2017, "Train longer, generalize better", §4.1):
/// in training, a batch of B samples is split into B/g ghost batches of g samples and each is
/// normalized with its own mean and variance; at evaluation the running statistics are used.
/// Ghost size 0 (or g = B) is ordinary batch norm: one functional batch_norm call with the given
/// momentum, bit for bit what <c>nn.BatchNorm1d</c> computes.
///
/// Running statistics are updated once per ghost batch. So that B/g updates per step do not make the
/// running average forget faster than ordinary batch norm does, each ghost batch uses
/// m_g = 1 − (1 − m)^(g/B): after all B/g ghost batches the old statistics have decayed by exactly
/// (1 − m), as after one ordinary step. (The paper's code keeps m per chunk; the simpler m·g/B matches
/// this only to first order.)
/// </summary>
public sealed class GhostBatchNorm : nn.Module<Tensor, Tensor>
{
    private readonly int _ghostBatchSize;
    private readonly double _momentum;
    private readonly double _eps;
    private readonly TorchSharp.Modules.Parameter weight;
    private readonly TorchSharp.Modules.Parameter bias;
    private readonly Tensor running_mean;
    private readonly Tensor running_var;

    public GhostBatchNorm(long features, int ghostBatchSize, double momentum = 0.1, double eps = 1e-5)
        : base(nameof(GhostBatchNorm))
    {
        if (ghostBatchSize < 0) throw new ArgumentOutOfRangeException(nameof(ghostBatchSize), ghostBatchSize, "must be ≥ 0");
        _ghostBatchSize = ghostBatchSize;
        _momentum = momentum;
        _eps = eps;
        weight = nn.Parameter(ones(features));
        bias = nn.Parameter(zeros(features));
        running_mean = zeros(features);
        running_var = ones(features);
        RegisterComponents();
    }

    /// <summary>
    /// While set, training mode still normalizes with batch statistics but leaves the running
    /// statistics alone: the second forward pass of SAM or of the gradient-norm penalty's finite
    /// difference must not count as another batch (Foret et al. 2021 freeze BN statistics there).
    /// </summary>
    public bool FreezeRunningStats { get; set; }

    /// <summary>
    /// The samples of one optimizer step when a step's batch reaches this layer in micro-batches
    /// (training.micro-batch); 0: each forward pass is a whole step. The running statistics then
    /// move per ghost batch with the momentum of the step's ghost batches, so micro-batches update
    /// them exactly as one pass over the step's batch would.
    /// </summary>
    public long StepBatchSize { get; set; }

    public Tensor RunningMean => running_mean;

    public Tensor RunningVar => running_var;

    /// <summary>The per-ghost-batch momentum that gives the same decay per step as ordinary batch norm.</summary>
    public static double GhostMomentum(double momentum, int chunks) => 1.0 - Math.Pow(1.0 - momentum, 1.0 / chunks);

    public override Tensor forward(Tensor input)
    {
        long batch = input.shape[0];
        // Momentum 0 leaves running = (1 − 0)·running + 0·batch unchanged.
        double baseMomentum = FreezeRunningStats ? 0.0 : _momentum;
        long step = StepBatchSize > 0 ? StepBatchSize : batch;
        if (!training || _ghostBatchSize == 0 || _ghostBatchSize >= step)
        {
            return nn.functional.batch_norm(input, running_mean, running_var, weight, bias, training, baseMomentum, _eps);
        }

        if (batch % _ghostBatchSize != 0)
        {
            throw new ArgumentException($"ghost batch size {_ghostBatchSize} does not divide the batch size {batch}");
        }

        double momentum = GhostMomentum(baseMomentum, (int)(step / _ghostBatchSize));
        var normalized = input.split(_ghostBatchSize)
            .Select(chunk => nn.functional.batch_norm(chunk, running_mean, running_var, weight, bias, true, momentum, _eps))
            .ToArray();
        return cat(normalized, 0);
    }
}
