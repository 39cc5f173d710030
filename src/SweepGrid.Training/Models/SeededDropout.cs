using SweepGrid.Training.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Models;

/// <summary>
/// Dropout whose masks come from the trial's own generator, not torch's process-wide one: with
/// several slots training in one process, nn.Dropout's masks would depend on how their steps
/// interleave, and a rerun would not reproduce the trial. Inverted dropout: kept units scaled by 1/(1−p).
/// </summary>
public sealed class SeededDropout : nn.Module<Tensor, Tensor>
{
    private readonly double _p;
    private readonly Generator _generator;

    public SeededDropout(double p, long seed)
        : base(nameof(SeededDropout))
    {
        _p = p;
        _generator = new Generator((ulong)seed);
    }

    /// <summary>The mask generator, whose state a checkpoint saves so a resumed trial draws the same masks.</summary>
    public Generator Generator => _generator;

    public override Tensor forward(Tensor input)
    {
        if (!training || _p == 0) return input.alias();
        using var threshold = _p.ToScalar();
        using var keep = rand(input.shape, generator: _generator, device: CPU).ge(threshold).to(input.device);
        return (input * keep).Over(1 - _p);
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing) _generator.Dispose();
        base.Dispose(disposing);
    }
}
