using SweepGrid.Training.Runtime;
using static TorchSharp.torch;

namespace SweepGrid.Training.Metrics;

/// <summary>
/// Hessian-vector products H·v of a loss by double backprop (Pearlmutter 1994; as PyHessian does
/// it): the gradient is built once with create_graph, then each product differentiates ⟨∇L, v⟩.
/// TorchSharp needs retain_graph with create_graph (NOTES.md): without it the second grad call
/// aborts the process inside libtorch.
/// </summary>
public sealed class HessianOperator : IDisposable
{
    private readonly Tensor[] _parameters;
    private readonly Tensor[] _gradients;

    /// <remarks>
    /// Holds only its loss and gradients (the graph behind them keeps what it needs); no dispose scope
    /// stays open between calls, which would capture and later dispose the caller's tensors.
    /// </remarks>
    public HessianOperator(Func<Tensor> loss, IReadOnlyList<Tensor> parameters)
    {
        _parameters = parameters.ToArray();
        using var scope = NewDisposeScope();
        // Owned by this operator (freed in Dispose), not by whatever scope the caller has open.
        Loss = loss().DetachFromDisposeScope();
        _gradients = autograd.grad([Loss], _parameters, retain_graph: true, create_graph: true)
            .Select(g => g.DetachFromDisposeScope())
            .ToArray();
    }

    public Tensor Loss { get; }

    public IReadOnlyList<Tensor> Parameters => _parameters;

    public Tensor[] Apply(IReadOnlyList<Tensor> v)
    {
        using var scope = NewDisposeScope();
        var dot = _gradients.Zip(v).Aggregate(zeros(1, dtype: _gradients[0].dtype, device: _gradients[0].device),
            (acc, pair) => acc.Plus((pair.First * pair.Second).sum()));
        return autograd.grad([dot], _parameters, retain_graph: true).Select(t => t.detach().MoveToOuterDisposeScope()).ToArray();
    }

    public static double Dot(IReadOnlyList<Tensor> a, IReadOnlyList<Tensor> b) =>
        a.Zip(b).Sum(pair => (pair.First.to_type(float64) * pair.Second.to_type(float64)).sum().item<double>());

    public static double Norm(IReadOnlyList<Tensor> a) => Math.Sqrt(Dot(a, a));

    public void Dispose()
    {
        foreach (var g in _gradients) g.Dispose();
        Loss.Dispose();
    }
}
