namespace SweepGrid.Core.Results;

/// <summary>
/// The Hessian's spectrum as stochastic Lanczos quadrature saw it after <see cref="Epoch"/>: every
/// Lanczos run's nodes (Ritz values with their quadrature weights, which sum to 1 per run), from which
/// the eigenvalue density is drawn (Ghorbani et al. 2019). Recorded with hessian.method = lanczos.
/// </summary>
public sealed record SpectrumRecord(int Epoch, IReadOnlyList<SpectrumNode> Nodes);

/// <param name="Run">Which Lanczos run (start vector), from 0.</param>
/// <param name="Value">A Ritz value θ_i.</param>
/// <param name="Weight">Its weight τ_i², the squared first component of T_m's eigenvector.</param>
public sealed record SpectrumNode(int Run, double Value, double Weight);
