using SweepGrid.Core.Files;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Store.Tests;

/// <summary>The embedded store's one host: run.lock, taken exclusively, given back on release, never a file that is not one.</summary>
public sealed class StoreLockTests : TempDirectoryTest
{
    [Fact]
    public void A_held_store_is_refused_with_the_holders_pid_and_free_again_once_released()
    {
        var held = StoreLock.Take(Dir);

        var refused = Assert.Throws<StoreInUseException>(() => StoreLock.Take(Dir));
        Assert.Contains($"(pid {Environment.ProcessId})", refused.Message);
        held.Dispose();
        held.Dispose(); // the node's disposal and its actor system's termination both release it
        using var again = StoreLock.Take(Dir);
    }

    [Theory]
    [InlineData("fifo")]
    [InlineData("link to /dev/zero")]
    [InlineData("link to a regular file")]
    [InlineData("directory")]
    public async Task A_lock_file_that_is_not_a_regular_file_is_refused_before_it_is_opened(string kind)
    {
        HostileFiles.All[kind](Path.Combine(Dir, StoreLock.FileName));

        // A FIFO would block the open for ever; this must answer at once (WaitAsync fails the test instead of hanging it).
        await Assert.ThrowsAsync<RefusedFileException>(() => Task.Run(() => StoreLock.Take(Dir)).WaitAsync(TimeSpan.FromSeconds(10)));
    }
}
