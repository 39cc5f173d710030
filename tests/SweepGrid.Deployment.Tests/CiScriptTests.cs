using System.Diagnostics;
using static SweepGrid.Tests.Shared.TestMachine;

namespace SweepGrid.Deployment.Tests;

/// <summary>The tests' own set-up scripts (.ci/), run as the tests run them.</summary>
public sealed class CiScriptTests
{
    /// <summary>
    /// Another apt holding the dpkg lock (unattended upgrades, a second test run) made chromium.sh and
    /// postgres.sh fail at once, and with them every test that needs a browser or a database. A process
    /// holds the lock as dpkg does (an fcntl lock on lock-frontend) for 10 s; the install waits for it.
    /// </summary>
    [Fact]
    public async Task An_install_waits_for_another_apt_that_holds_the_dpkg_lock()
    {
        using var holder = Process.Start(new ProcessStartInfo("python3",
            ["-c", "import fcntl, sys, time; f = open('/var/lib/dpkg/lock-frontend', 'w'); fcntl.lockf(f, fcntl.LOCK_EX); print('held', flush=True); time.sleep(10)"])
        {
            RedirectStandardOutput = true,
        })!;
        Assert.Equal("held", await holder.StandardOutput.ReadLineAsync());

        // A package the tests already need (the browser tests installed it): nothing new is downloaded.
        using var install = Process.Start(new ProcessStartInfo(Path.Combine(RepoRoot(), ".ci", "apt-install.sh"), ["chromium-driver"])
        {
            RedirectStandardError = true,
        })!;
        var error = await install.StandardError.ReadToEndAsync();
        await install.WaitForExitAsync();
        bool heldMeanwhile = !holder.HasExited;
        await holder.WaitForExitAsync();

        Assert.True(install.ExitCode == 0, $"apt-install.sh exited {install.ExitCode}: {error}");
        Assert.True(heldMeanwhile || holder.ExitCode == 0, "the lock holder failed");
    }
}
