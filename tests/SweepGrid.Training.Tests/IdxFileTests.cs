using SweepGrid.Data;

namespace SweepGrid.Training.Tests;

public sealed class IdxFileTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("sweepgrid-idx-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    [Theory]
    [InlineData("images.idx")]
    [InlineData("images.idx.gz")]
    public void Round_trips_plain_and_gzipped_files(string name)
    {
        var path = Path.Combine(_dir, name);
        var values = Enumerable.Range(0, 3 * 2 * 2).Select(i => (byte)(i * 7)).ToArray();
        IdxFile.Write(path, [3, 2, 2], values);

        var (header, read) = IdxFile.Read(path);

        Assert.Equal([3, 2, 2], header.Dimensions);
        Assert.Equal(4, header.ValuesPerItem);
        Assert.Equal(values, read);
    }

    [Fact]
    public void Rejects_a_bad_magic_number_naming_the_file()
    {
        var path = Path.Combine(_dir, "bad");
        File.WriteAllBytes(path, [1, 2, 8, 1, 0, 0, 0, 1, 5]);

        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));

        Assert.Equal(path, error.FilePath);
        Assert.Contains("not an IDX file", error.Message);
    }

    [Fact]
    public void Rejects_a_file_truncated_inside_its_values()
    {
        var path = Path.Combine(_dir, "short");
        IdxFile.Write(path, [10], new byte[10]);
        var bytes = File.ReadAllBytes(path);
        File.WriteAllBytes(path, bytes[..^3]);

        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));

        Assert.Contains("truncated", error.Problem);
        Assert.Contains("10", error.Problem);
    }

    [Fact]
    public void Rejects_a_truncated_header()
    {
        var path = Path.Combine(_dir, "header");
        File.WriteAllBytes(path, [0, 0, 8, 3, 0, 0]);

        var error = Assert.Throws<DataFormatException>(() => IdxFile.ReadHeader(path));

        Assert.Contains("header ends inside dimension 0", error.Problem);
    }

    [Fact]
    public void Rejects_an_unsupported_value_type()
    {
        var path = Path.Combine(_dir, "floats");
        File.WriteAllBytes(path, [0, 0, 0x0D, 1, 0, 0, 0, 1, 0, 0, 0, 0]);

        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));

        Assert.Contains("0x0d", error.Problem);
    }

    [Fact]
    public void Reports_corrupt_gzip_data_against_the_file()
    {
        var path = Path.Combine(_dir, "broken.gz");
        IdxFile.Write(path, [4096], Enumerable.Range(0, 4096).Select(i => (byte)i).ToArray());
        var bytes = File.ReadAllBytes(path);
        for (int i = 20; i < bytes.Length - 8; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(path, bytes);

        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));

        Assert.Equal(path, error.FilePath);
    }

    [Fact]
    public void Rejects_trailing_bytes_beyond_the_declared_values()
    {
        var path = Path.Combine(_dir, "long");
        IdxFile.Write(path, [2], [1, 2]);
        File.AppendAllText(path, "x");

        var error = Assert.Throws<DataFormatException>(() => IdxFile.Read(path));

        Assert.Contains("past the 2 values", error.Problem);
    }
}
