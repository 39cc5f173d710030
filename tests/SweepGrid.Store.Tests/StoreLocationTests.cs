using SweepGrid.Store.Databases;


namespace SweepGrid.Store.Tests;

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
