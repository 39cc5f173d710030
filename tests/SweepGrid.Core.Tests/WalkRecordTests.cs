using SweepGrid.Core.Results;

namespace SweepGrid.Core.Tests;

public sealed class WalkRecordTests
{
    [Fact]
    public void Floor_position_and_height_come_from_the_curve()
    {
        var walk = new WalkRecord(7, WalkRecord.Grid(5), [2.0, 1.2, 0.9, 1.1, 1.6]);

        Assert.Equal([0, 0.25, 0.5, 0.75, 1], walk.Alphas);
        Assert.Equal((0.9, 0.5, 1.1), (walk.Floor, walk.FloorPosition, Math.Round(walk.Height, 12)));
    }
}
