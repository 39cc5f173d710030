namespace SweepGrid.Core.Results;

/// <summary>
/// The loss on the segment θ_t + α(θ_{t+1} − θ_t) between two iterates (Xing, Arpit, Tsirigotis,
/// Bengio 2018, "A Walk with SGD"), on a fixed probe batch. Our operational reading of the paper's
/// "valley floor": <see cref="Floor"/> = min over α of the loss, <see cref="FloorPosition"/> = the α
/// where it is, <see cref="Height"/> = L(θ_t) − floor (how far above the floor the iterate was).
/// </summary>
public sealed record WalkRecord(long Step, IReadOnlyList<double> Alphas, IReadOnlyList<double> Losses)
{
    public double Floor => Losses.Min();

    public double FloorPosition => Alphas[IndexOfFloor()];

    public double Height => Losses[0] - Floor;

    private int IndexOfFloor()
    {
        int best = 0;
        for (int i = 1; i < Losses.Count; i++) if (Losses[i] < Losses[best]) best = i;
        return best;
    }

    /// <summary>α = 0, 1/(n−1), …, 1: both iterates included.</summary>
    public static IReadOnlyList<double> Grid(int points) =>
        Enumerable.Range(0, points).Select(i => (double)i / (points - 1)).ToList();
}
