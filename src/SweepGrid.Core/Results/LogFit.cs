namespace SweepGrid.Core.Results;

/// <summary>
/// ‖w_t − w_0‖ ≈ a·ln(t) + b by least squares over the trajectory, with R². Hoffer et al. (2017, §3)
/// find the weight distance grows like log t in the high-learning-rate phase: a is the slope on a
/// log-t axis, and R² says how straight the line is.
/// </summary>
public sealed record LogFit(double A, double B, double R2, int Points)
{
    /// <summary>The fit over points with t ≥ 1; null with fewer than 3 such points.</summary>
    public static LogFit? Of(IEnumerable<(double Step, double Distance)> points)
    {
        var data = points.Where(p => p.Step >= 1 && double.IsFinite(p.Distance)).Select(p => (X: Math.Log(p.Step), Y: p.Distance)).ToList();
        if (data.Count < 3) return null;
        double meanX = data.Average(p => p.X), meanY = data.Average(p => p.Y);
        double sxx = data.Sum(p => (p.X - meanX) * (p.X - meanX));
        double sxy = data.Sum(p => (p.X - meanX) * (p.Y - meanY));
        double syy = data.Sum(p => (p.Y - meanY) * (p.Y - meanY));
        if (sxx == 0) return null;
        double a = sxy / sxx, b = meanY - a * meanX;
        double r2 = syy == 0 ? 1 : 1 - data.Sum(p => Math.Pow(p.Y - (a * p.X + b), 2)) / syy;
        return new LogFit(a, b, r2, data.Count);
    }
}
