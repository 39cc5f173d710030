using Akka.TestKit.Xunit2;
using Microsoft.Data.Sqlite;
using SweepGrid.Cluster.Hosting;
using SweepGrid.Store;

namespace SweepGrid.Cluster.Tests;

/// <summary>
/// An actor system on the embedded configuration over a fresh SQLite store (journal and result tables),
/// for specs of persistent actors; the store is deleted afterwards.
/// </summary>
public abstract class StoreTestKit : TestKit, IDisposable
{
    protected StoreTestKit()
        : this(TestStores.Create())
    {
    }

    private StoreTestKit(StoreLocation store)
        : base(NodeConfig.Local(store))
    {
        Store = store;
        Results = new ResultsStore(store.Directory);
        Results.EnsureSchema();
    }

    protected StoreLocation Store { get; }

    protected ResultsStore Results { get; }

    void IDisposable.Dispose()
    {
        Shutdown();
        SqliteConnection.ClearAllPools();
        Directory.Delete(Store.Directory, recursive: true);
    }
}
