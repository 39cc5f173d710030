using TorchSharp;
using static TorchSharp.torch;

namespace SweepGrid.Training.Runtime;

/// <summary>
/// Tensor arithmetic with numbers that keeps each number's TorchSharp Scalar alive through the native call.
/// TorchSharp 0.107 hands a Scalar's handle to libtorch without keeping the Scalar reachable, and Scalar has
/// a finalizer: a temporary one (t * 0.5, t.pow(2), and t + u, which passes alpha 1) can be freed by a
/// collection on another thread while libtorch reads it, and the trial fails with "Expected false to be
/// true". The analyzer rule SG0001 (build/Analyzers) forbids those forms in SweepGrid's code; these are
/// their replacements. Each calls the kernel TorchSharp's own form calls, with a Scalar of the same type,
/// so results are bit-identical to it.
/// </summary>
internal static class Scalars
{
    /// <summary>t · factor (TorchSharp's t * factor).</summary>
    public static Tensor Times(this Tensor t, double factor) => With(factor, s => t.mul(s));

    /// <summary>t / divisor (TorchSharp's t / divisor).</summary>
    public static Tensor Over(this Tensor t, double divisor) => With(divisor, s => t.div(s));

    /// <summary>t + addend (TorchSharp's t + addend: add with alpha 1).</summary>
    public static Tensor Plus(this Tensor t, double addend) => With(addend, s => WithOne(one => t.add(s, one)));

    /// <summary>t − subtrahend (TorchSharp's t - subtrahend).</summary>
    public static Tensor Minus(this Tensor t, double subtrahend) => With(subtrahend, s => t.sub(s));

    /// <summary>1 − t, as TorchSharp's 1 - t computes it: (−t) + 1.</summary>
    public static Tensor OneMinus(this Tensor t)
    {
        using var negative = t.negative();
        return negative.Plus(1);
    }

    /// <summary>t + u (TorchSharp's t + u: add with alpha 1).</summary>
    public static Tensor Plus(this Tensor t, Tensor u) => WithOne(one => t.add(u, one));

    /// <summary>t += u in place (TorchSharp's t.add_(u)).</summary>
    public static Tensor PlusInPlace(this Tensor t, Tensor u) => WithOne(one => t.add_(u, one));

    /// <summary>t += alpha · u in place (t.add_(u, alpha)).</summary>
    public static Tensor AddInPlace(this Tensor t, Tensor u, double alpha) => With(alpha, s => t.add_(u, s));

    /// <summary>t² elementwise (TorchSharp's t.square() and t.pow(2), an integer exponent).</summary>
    public static Tensor Squared(this Tensor t)
    {
        using var two = 2.ToScalar();
        return t.pow(two);
    }

    /// <summary>Sets every element to value (t.fill_(value)).</summary>
    public static Tensor FillWith(this Tensor t, double value) => With(value, s => t.fill_(s));

    /// <summary>Raises every element below min to min, in place (t.clamp_(min: min)).</summary>
    public static Tensor ClampBelow(this Tensor t, double min) => With(min, s => t.clamp_(min: s));

    /// <summary>op on value's Scalar, which the using holds until op has returned.</summary>
    private static Tensor With(double value, Func<Scalar, Tensor> op)
    {
        using var s = value.ToScalar();
        return op(s);
    }

    /// <summary>op on the integer 1 as a Scalar (TorchSharp's own alpha for add), held until op has returned.</summary>
    private static Tensor WithOne(Func<Scalar, Tensor> op)
    {
        using var one = 1.ToScalar();
        return op(one);
    }
}
