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
        var sums = new Sums();
        foreach (var (step, distance) in points) sums = sums.Add(step, distance);
        return sums.Fit();
    }

    /// <summary>
    /// What the fit needs of the points, in constant space, so that a checkpoint carries it instead of
    /// every point: the count, the means and the centred sums of squares and products, updated one
    /// point at a time (Welford 1962, "Note on a method for calculating corrected sums of squares and
    /// products"; the bivariate form as in Chan, Golub and LeVeque 1983), which stay accurate where
    /// raw sums of ln t would cancel. Adding the same points in the same order gives the same bits, so
    /// a resumed trial fits exactly what an uninterrupted one does.
    /// </summary>
    public sealed record Sums(int N = 0, double MeanX = 0, double MeanY = 0, double Sxx = 0, double Sxy = 0, double Syy = 0)
    {
        /// <summary>These sums with one more point; a point with t &lt; 1 or a non-finite distance is left out.</summary>
        public Sums Add(double step, double distance)
        {
            if (step < 1 || !double.IsFinite(distance)) return this;
            double x = Math.Log(step), y = distance;
            int n = N + 1;
            double dx = x - MeanX, dy = y - MeanY;
            double meanX = MeanX + dx / n, meanY = MeanY + dy / n;
            return new Sums(n, meanX, meanY, Sxx + dx * (x - meanX), Sxy + dx * (y - meanY), Syy + dy * (y - meanY));
        }

        /// <summary>The least-squares line; null with fewer than 3 points or a single distinct t.</summary>
        public LogFit? Fit()
        {
            if (N < 3 || Sxx <= 0) return null;
            double a = Sxy / Sxx, b = MeanY - a * MeanX;
            // Residual sum of squares of the fitted line: Syy − a·Sxy (never below 0 in exact arithmetic).
            double residual = Math.Max(0, Syy - a * Sxy);
            double r2 = Syy == 0 ? 1 : 1 - residual / Syy;
            return new LogFit(a, b, r2, N);
        }
    }
}
