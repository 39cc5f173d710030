using SweepGrid.Cluster.Hosting;
using SweepGrid.Cluster.Results;

namespace SweepGrid.Cluster.Tests;

public sealed class StoreLocationTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    [Fact]
    public void Without_the_variable_the_store_is_SQLite_in_the_folder()
    {
        var store = StoreLocation.Resolve("some/store", Env());
        Assert.False(store.IsPostgres);
        Assert.Equal(Path.GetFullPath("some/store"), store.Directory);
        Assert.IsType<SqliteResultsDatabase>(store.OpenResults().Database);
    }

    [Theory]
    [InlineData("/data/a\"b\nakka.loglevel = OFF\n#")]
    [InlineData("/data/x;Mode=Memory")]
    [InlineData("/data/back\\slash\" } akka.persistence.journal.plugin = \"none")]
    public void A_store_folder_name_becomes_exactly_that_path_and_no_other_setting(string folder)
    {
        var store = new StoreLocation(folder);

        var config = SweepGridHost.StoreConfig(store);

        var connection = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(config.GetString("akka.persistence.journal.sql.connection-string"));
        Assert.Equal(Path.Combine(folder, StoreLocation.JournalFile), connection.DataSource);
        Assert.Equal(Microsoft.Data.Sqlite.SqliteOpenMode.ReadWriteCreate, connection.Mode);
        Assert.False(config.HasPath("akka.loglevel"));
        Assert.False(config.HasPath("akka.persistence.journal.plugin"));
    }

    [Fact]
    public void The_password_comes_from_its_own_variable()
    {
        var store = StoreLocation.Resolve("s", Env(
            (StoreLocation.PostgresVariable, "Host=db;Database=sweepgrid;Username=sweepgrid"), (StoreLocation.PasswordVariable, "s3cret")));
        Assert.True(store.IsPostgres);
        var builder = new Npgsql.NpgsqlConnectionStringBuilder(store.PostgresConnectionString);
        Assert.Equal(("db", "sweepgrid", "s3cret"), (builder.Host, builder.Database, builder.Password));
        var results = store.OpenResults();
        Assert.Equal("PostgreSQL database sweepgrid on db:5432", results.Describe);
        Assert.DoesNotContain("s3cret", results.Describe);
    }

    [Theory]
    [InlineData("Host=db;Password=hunter2", "SWEEPGRID_POSTGRES: holds a password; set it in SWEEPGRID_POSTGRES_PASSWORD")]
    [InlineData("Database=sweepgrid", "SWEEPGRID_POSTGRES: no Host= in \"Database=sweepgrid\"")]
    [InlineData("Hots=db", "SWEEPGRID_POSTGRES: not an Npgsql connection string")]
    public void Unusable_settings_name_the_variable_and_what_is_wrong(string value, string expected)
    {
        var error = Assert.Throws<StoreSettingsException>(() => StoreLocation.Resolve("s", Env((StoreLocation.PostgresVariable, value))));
        Assert.StartsWith(expected, error.Message);
        Assert.DoesNotContain("hunter2", error.Message);
    }
}
