using SweepGrid.Cluster.Hosting;
using SweepGrid.Store;

namespace SweepGrid.Cluster.Tests;

/// <summary>The persistence plugin's settings made from a store's location: its folder is data, never configuration.</summary>
public sealed class StoreConfigTests
{
    [Theory]
    [InlineData("/data/a\"b\nakka.loglevel = OFF\n#")]
    [InlineData("/data/x;Mode=Memory")]
    [InlineData("/data/back\\slash\" } akka.persistence.journal.plugin = \"none")]
    public void A_store_folder_name_becomes_exactly_that_path_and_no_other_setting(string folder)
    {
        var store = new StoreLocation(folder);

        var config = NodeConfig.Store(store);

        var connection = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal(Path.Combine(folder, StoreLocation.JournalFile), connection.DataSource);
        Assert.Equal(Microsoft.Data.Sqlite.SqliteOpenMode.ReadWriteCreate, connection.Mode);
        Assert.False(config.HasPath("akka.loglevel"));
        Assert.False(config.HasPath("akka.persistence.journal.plugin"));
    }
}
