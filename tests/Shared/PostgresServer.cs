using System.Diagnostics;
using Npgsql;

namespace SweepGrid.Tests.Shared;

/// <summary>
/// A throwaway PostgreSQL 15 server on 127.0.0.1 for the tests that need the cluster's store: started
/// by .ci/postgres.sh (which installs PostgreSQL from Debian's packages when it is missing), in a temp
/// data directory, trust authentication, stopped and deleted on dispose. Each test takes its own database.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-pg-").FullName;

    public PostgresServer()
    {
        Port = TestMachine.FreePort();
        Script("start", _dir, $"{Port}");
    }

    public int Port { get; }

    /// <summary>An empty database of its own; returns its connection string (no password: trust auth).</summary>
    public string CreateDatabase()
    {
        var name = $"t{Guid.NewGuid():N}"[..16];
        using (var admin = new NpgsqlConnection(ConnectionString("postgres")))
        {
            admin.Open();
            using var create = new NpgsqlCommand($"CREATE DATABASE {name};", admin);
            create.ExecuteNonQuery();
        }

        return ConnectionString(name);
    }

    public string ConnectionString(string database) => $"Host=127.0.0.1;Port={Port};Database={database};Username=postgres";

    /// <summary>Fast shutdown: open connections are cut, as when the database host goes away.</summary>
    public void Stop()
    {
        Script("stop", _dir);
        NpgsqlConnection.ClearAllPools();
    }

    public void Resume() => Script("resume", _dir, $"{Port}");

    public void Dispose()
    {
        try
        {
            Script("stop", _dir);
        }
        catch (InvalidOperationException)
        {
            // Already stopped by a test.
        }

        NpgsqlConnection.ClearAllPools();
        Directory.Delete(_dir, recursive: true);
    }

    private static void Script(params string[] args)
    {
        var start = new ProcessStartInfo("bash", [ScriptPath, .. args]) { RedirectStandardError = true, RedirectStandardOutput = true };
        using var process = Process.Start(start)!;
        var error = process.StandardError.ReadToEndAsync();
        var output = process.StandardOutput.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(5))) process.Kill(entireProcessTree: true);
        if (process.ExitCode != 0)
        {
            throw new InvalidOperationException($".ci/postgres.sh {string.Join(' ', args)} failed ({process.ExitCode}):\n{output.Result}\n{error.Result}");
        }
    }

    /// <summary>.ci/postgres.sh in the repository the tests were built from.</summary>
    private static string ScriptPath => Path.Combine(TestMachine.RepoRoot(), ".ci", "postgres.sh");
}
