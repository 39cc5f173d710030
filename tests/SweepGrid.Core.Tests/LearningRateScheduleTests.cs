using SweepGrid.Core.Sweeps;
using SweepGrid.Core.Trials;

namespace SweepGrid.Core.Tests;

public sealed class LearningRateScheduleTests
{
    [Theory]
    [InlineData(0.0, 1.0)]
    [InlineData(4.99, 1.0)]
    [InlineData(5.0, 0.1)]
    [InlineData(7.5, 0.1)]
    [InlineData(8.0, 0.01)]
    [InlineData(9.9, 0.01)]
    public void Step_drops_by_the_factor_once_each_drop_epoch_is_done(double epochsDone, double factor)
    {
        var schedule = new ScheduleSpec("step", [5, 8], 0.1, 0);

        Assert.Equal(factor, LearningRateSchedule.Factor(schedule, 10, epochsDone), 12);
    }

    [Fact]
    public void Cosine_goes_from_one_to_zero_after_warm_up()
    {
        var schedule = new ScheduleSpec("cosine", [], 0.1, 2);

        Assert.Equal(0.25, LearningRateSchedule.Factor(schedule, 10, 0.5), 12);
        Assert.Equal(1.0, LearningRateSchedule.Factor(schedule, 10, 2), 12);
        Assert.Equal(0.5, LearningRateSchedule.Factor(schedule, 10, 6), 12);
        Assert.Equal(0.0, LearningRateSchedule.Factor(schedule, 10, 10), 12);
    }

    [Fact]
    public void Constant_is_one_after_warm_up()
    {
        var schedule = new ScheduleSpec("constant", [], 0.1, 4);

        Assert.Equal(0.5, LearningRateSchedule.Factor(schedule, 10, 2), 12);
        Assert.Equal(1.0, LearningRateSchedule.Factor(schedule, 10, 4), 12);
        Assert.Equal(1.0, LearningRateSchedule.Factor(schedule, 10, 9), 12);
    }
}
