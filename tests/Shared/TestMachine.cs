using System.Net;
using System.Net.Sockets;

namespace SweepGrid.Tests.Shared;

/// <summary>Where the tests run: the repository they were built from, and free ports on the loopback interface.</summary>
internal static class TestMachine
{
    /// <summary>The folder holding SweepGrid.sln, above the test binaries.</summary>
    public static string RepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "SweepGrid.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException($"SweepGrid.sln not found above {AppContext.BaseDirectory}");
    }

    public static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
