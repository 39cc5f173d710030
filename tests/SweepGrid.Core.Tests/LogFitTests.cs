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

    [Fact]
    public void The_streaming_sums_agree_with_the_textbook_two_pass_fit_on_a_noisy_trajectory()
    {
        var random = new Random(7);
        var points = Enumerable.Range(0, 5000).Select(i => ((double)(i * 20), 3.1 * Math.Log(Math.Max(1, i * 20)) + 40 + random.NextDouble())).ToList();

        var fit = LogFit.Of(points)!;

        // The two-pass formulas over the same points (t ≥ 1).
        var data = points.Where(p => p.Item1 >= 1).Select(p => (X: Math.Log(p.Item1), Y: p.Item2)).ToList();
        double mx = data.Average(p => p.X), my = data.Average(p => p.Y);
        double sxx = data.Sum(p => (p.X - mx) * (p.X - mx)), sxy = data.Sum(p => (p.X - mx) * (p.Y - my)), syy = data.Sum(p => (p.Y - my) * (p.Y - my));
        double a = sxy / sxx, b = my - a * mx, r2 = 1 - data.Sum(p => Math.Pow(p.Y - (a * p.X + b), 2)) / syy;
        Assert.Equal(data.Count, fit.Points);
        Assert.Equal(a, fit.A, 1e-10);
        Assert.Equal(b, fit.B, 1e-9);
        Assert.Equal(r2, fit.R2, 1e-10);
    }

    [Fact]
    public void Sums_carried_across_a_resume_fit_exactly_what_one_pass_fits()
    {
        var points = Enumerable.Range(1, 300).Select(t => ((double)t * 7, Math.Sqrt(t) + Math.Log(t))).ToList();
        var before = points.Take(120).Aggregate(new LogFit.Sums(), (s, p) => s.Add(p.Item1, p.Item2));
        // As a checkpoint carries them: written out and read back.
        var restored = System.Text.Json.JsonSerializer.Deserialize<LogFit.Sums>(System.Text.Json.JsonSerializer.Serialize(before))!;

        var resumed = points.Skip(120).Aggregate(restored, (s, p) => s.Add(p.Item1, p.Item2)).Fit();

        Assert.Equal(LogFit.Of(points), resumed); // bit for bit: a record compares its doubles exactly
    }
}
