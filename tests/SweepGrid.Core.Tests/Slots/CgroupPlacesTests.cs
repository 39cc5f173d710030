using SweepGrid.Core.Slots;

namespace SweepGrid.Core.Tests.Slots;

/// <summary>Where a process's memory cgroup is, from /proc/self/mountinfo and /proc/self/cgroup as each kind of machine writes them.</summary>
public sealed class CgroupPlacesTests
{
    /// <summary>This machine: v1 controllers, each its own mount, and an empty unified hierarchy beside them.</summary>
    [Fact]
    public void A_v1_machine_with_an_unused_unified_mount_offers_both_v2_first()
    {
        const string mountInfo = """
            30 22 0:27 / /sys/fs/cgroup rw,relatime - tmpfs tmpfs rw,mode=755
            31 30 0:28 / /sys/fs/cgroup/cpu rw,relatime - cgroup cgroup rw,cpu
            34 30 0:31 / /sys/fs/cgroup/memory rw,relatime - cgroup cgroup rw,memory
            40 30 0:37 / /sys/fs/cgroup/unified rw,relatime - cgroup2 cgroup2 rw
            """;
        const string cgroup = """
            9:name=systemd:/
            4:memory:/process_api/2f91
            1:cpu:/
            0::/
            """;

        Assert.Equal(
            [new CgroupPlace(2, "/sys/fs/cgroup/unified"), new CgroupPlace(1, "/sys/fs/cgroup/memory/process_api/2f91")],
            CgroupPlaces.Find(mountInfo, cgroup));
    }

    /// <summary>A Kubernetes pod on cgroup v2 with its own cgroup namespace: its group is the mount's root.</summary>
    [Fact]
    public void A_pod_with_a_cgroup_namespace_is_at_the_root_of_its_mount()
    {
        const string mountInfo = "1290 1281 0:27 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime - cgroup2 cgroup rw,nsdelegate,memory_recursiveprot";

        Assert.Equal([new CgroupPlace(2, "/sys/fs/cgroup")], CgroupPlaces.Find(mountInfo, "0::/\n"));
    }

    /// <summary>A delegated systemd scope (systemd-run --scope -p Delegate=yes) on a v2 host.</summary>
    [Fact]
    public void A_systemd_scope_is_below_the_mount_point()
    {
        const string mountInfo = "35 24 0:30 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate";

        Assert.Equal([new CgroupPlace(2, "/sys/fs/cgroup/user.slice/user-1000.slice/run-r1.scope")],
            CgroupPlaces.Find(mountInfo, "0::/user.slice/user-1000.slice/run-r1.scope"));
    }

    /// <summary>A container without a cgroup namespace sees the host's path, under a mount whose root is that path.</summary>
    [Fact]
    public void A_container_without_a_namespace_strips_the_mount_root()
    {
        const string mountInfo = """
            612 604 0:33 /docker/ab12 /sys/fs/cgroup/memory ro,nosuid,nodev,noexec,relatime master:15 - cgroup cgroup rw,memory
            613 604 0:34 /docker/ab12 /sys/fs/cgroup/cpu,cpuacct ro,nosuid - cgroup cgroup rw,cpu,cpuacct
            """;
        const string cgroup = "12:cpu,cpuacct:/docker/ab12\n11:memory:/docker/ab12\n";

        Assert.Equal([new CgroupPlace(1, "/sys/fs/cgroup/memory")], CgroupPlaces.Find(mountInfo, cgroup));
        Assert.Equal([new CgroupPlace(1, "/sys/fs/cgroup/memory/sub")], CgroupPlaces.Find(mountInfo, "11:memory:/docker/ab12/sub"));
    }

    [Fact]
    public void An_escaped_mount_point_is_unescaped()
    {
        const string mountInfo = @"34 30 0:31 / /mnt/cg\040mem rw - cgroup cgroup rw,memory";

        Assert.Equal([new CgroupPlace(1, "/mnt/cg mem/a")], CgroupPlaces.Find(mountInfo, "4:memory:/a"));
    }

    [Theory]
    [InlineData("4:memory:/other", "a group outside the mount's root")]
    [InlineData("4:memory:/docker/ab12/../../etc", "a path that climbs out")]
    [InlineData("4:cpu:/docker/ab12", "no memory controller")]
    [InlineData("garbage", "not a cgroup line")]
    [InlineData("", "nothing")]
    public void Nothing_is_offered_for(string cgroup, string what)
    {
        const string mountInfo = "612 604 0:33 /docker/ab12 /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory";

        Assert.True(CgroupPlaces.Find(mountInfo, cgroup).Count == 0, what);
    }

    [Fact]
    public void Malformed_mount_lines_are_passed_over()
    {
        const string mountInfo = "short line\n34 30 0:31 / /sys/fs/cgroup/memory rw no-separator cgroup rw,memory\n35 30 0:31 / /m rw - cgroup";

        Assert.Empty(CgroupPlaces.Find(mountInfo, "4:memory:/a"));
    }
}
