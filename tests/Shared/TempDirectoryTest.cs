namespace SweepGrid.Tests.Shared;

/// <summary>A fresh temporary folder per test, deleted afterwards (SQLite's pooled handles released first).</summary>
public abstract class TempDirectoryTest : IDisposable
{
    protected TempDirectoryTest() => Dir = Directory.CreateTempSubdirectory("sweepgrid-test-").FullName;

    protected string Dir { get; }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        Directory.Delete(Dir, recursive: true);
        GC.SuppressFinalize(this);
    }
}
