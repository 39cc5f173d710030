using SweepGrid.Cli.Dashboard;
using Row = SweepGrid.Cli.Dashboard.DashboardServer.Row;

namespace SweepGrid.Cli.Tests.Dashboard;

/// <summary>Which table lines a sweep page is pushed: none the first time, then those that changed or are new.</summary>
public sealed class RowChangesTests
{
    [Fact]
    public void The_first_look_pushes_nothing_then_only_changed_and_new_lines_are_pushed()
    {
        var changes = new DashboardServer.RowChanges();
        List<Row> first = [new("a", "<tr>a 1</tr>"), new("b", "<tr>b 1</tr>"), new("c", "<tr>c 1</tr>")];

        Assert.Null(changes.Since(first));
        Assert.Equal([new Row("b", "<tr>b 2</tr>"), new Row("d", "<tr>d 1</tr>")],
            changes.Since([first[0], new("b", "<tr>b 2</tr>"), first[2], new("d", "<tr>d 1</tr>")]));
        var again = changes.Since([first[0], new("b", "<tr>b 2</tr>"), first[2], new("d", "<tr>d 1</tr>")]);
        Assert.NotNull(again);
        Assert.Empty(again);
    }
}
