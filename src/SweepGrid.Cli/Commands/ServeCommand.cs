using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using SweepGrid.Cli.Dashboard;

namespace SweepGrid.Cli.Commands;

/// <summary>`sweepgrid serve`: checks its options and the store, then serves the dashboard until stopped.</summary>
internal static class ServeCommand
{
    public static async Task<int> RunAsync(string storeDirectory, string bind, int port, TextWriter output, CancellationToken ct)
    {
        if (!IPAddress.TryParse(bind, out var address)) throw new UserError($"--bind: \"{bind}\" is not an IP address (e.g. 127.0.0.1 or 0.0.0.0)");
        if (port is < 0 or > 65535) throw new UserError($"--port: must be 0 to 65535, got {port}");
        // Refuses another program's database (exit 2) before anything listens.
        var store = Stores.ReadOnly(storeDirectory);
        await using var app = DashboardServer.Build(store, address, port);
        try
        {
            await app.StartAsync(ct);
        }
        catch (IOException e)
        {
            throw new UserError($"--port {port} on {bind}: {e.GetBaseException().Message}");
        }

        output.WriteLine($"serving {Url(app)} ({store.Describe}); Ctrl+C stops");
        if (!IPAddress.IsLoopback(address))
        {
            output.WriteLine($"warning: --bind {bind} is not a loopback address and the dashboard has no authentication: anyone who can reach " +
                             "this port reads every sweep in the store; put it behind an authenticating proxy, or keep 127.0.0.1 and use an SSH tunnel");
        }
        try
        {
            await Task.Delay(Timeout.Infinite, ct);
        }
        catch (OperationCanceledException)
        {
            // Ctrl+C or SIGTERM: stop below.
        }

        await app.StopAsync(CancellationToken.None);
        return ExitCodes.Success;
    }

    /// <summary>The address Kestrel listens on, with the port it was given when asked for any (0).</summary>
    public static string Url(WebApplication app) =>
        app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
}
