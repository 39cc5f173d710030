using SweepGrid.Core.Files;

namespace SweepGrid.Core.Tests.Files;

public sealed class DiskFullTests
{
    [Fact]
    public void No_space_and_over_quota_are_the_disks_whether_wrapped_or_not()
    {
        var noSpace = new IOException("No space left on device : '/store/checkpoints/x.tmp'", 28);

        Assert.True(DiskFull.Is(noSpace));
        Assert.True(DiskFull.Is(new IOException("Disk quota exceeded", 122)));
        Assert.True(DiskFull.Is(new InvalidOperationException("saving failed", noSpace)));
        Assert.True(DiskFull.Is(new AggregateException(new TimeoutException(), noSpace)));
    }

    [Fact]
    public void Other_failures_are_not()
    {
        Assert.False(DiskFull.Is(new IOException("Input/output error", 5)));
        Assert.False(DiskFull.Is(new IOException("No space left on device")));
        Assert.False(DiskFull.Is(new OutOfMemoryException()));
        Assert.False(DiskFull.Is(null));
    }
}
