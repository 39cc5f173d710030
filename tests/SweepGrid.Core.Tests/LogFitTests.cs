using SweepGrid.Core.Results;

namespace SweepGrid.Core.Tests;

public sealed class LogFitTests
{
    [Fact]
    public void An_exact_logarithm_is_recovered_with_r2_of_one()
    {
        var points = new[] { 1.0, 10, 50, 100, 1000 }.Select(t => (t, 2.5 * Math.Log(t) + 0.75));

        var fit = LogFit.Of(points)!;

        Assert.Equal((2.5, 0.75, 1.0, 5), (Math.Round(fit.A, 10), Math.Round(fit.B, 10), Math.Round(fit.R2, 10), fit.Points));
    }

    [Fact]
    public void A_straight_line_in_t_is_a_worse_fit_and_too_few_points_give_none()
    {
        var linear = LogFit.Of(Enumerable.Range(1, 50).Select(t => ((double)t, 0.1 * t)))!;

        Assert.InRange(linear.R2, 0.5, 0.95);
        Assert.Null(LogFit.Of([(1.0, 1.0), (2.0, 2.0)]));
        Assert.Null(LogFit.Of([(0.0, 1.0), (0.0, 2.0), (0.0, 3.0)]));
    }
}
