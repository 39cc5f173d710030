using System.Buffers.Binary;
using System.IO.Compression;

namespace SweepGrid.Data;

/// <summary>
/// Reader for the IDX format of MNIST and Fashion-MNIST (LeCun et al.): a 4-byte magic
/// (0, 0, type code, number of dimensions), one big-endian int32 per dimension, then the values.
/// Only unsigned bytes (type 0x08) occur in these datasets. Files may be gzipped (".gz").
/// </summary>
public static class IdxFile
{
    private const byte UnsignedByte = 0x08;

    public sealed record Header(int[] Dimensions)
    {
        public long ItemCount => Dimensions[0];

        public long ValuesPerItem => Dimensions.Skip(1).Aggregate(1L, (a, d) => a * d);
    }

    /// <summary>Reads only the header: cheap enough to validate a sweep before anything runs.</summary>
    public static Header ReadHeader(string path) => Guard(path, () =>
    {
        using var stream = Open(path);
        return ReadHeader(stream, path);
    });

    /// <summary>Reads the whole file: header and every value.</summary>
    public static (Header Header, byte[] Values) Read(string path) => Guard(path, () =>
    {
        using var stream = Open(path);
        var header = ReadHeader(stream, path);
        long count = header.ItemCount * header.ValuesPerItem;
        if (count > Array.MaxLength) throw new DataFormatException(path, $"{count} values are too many for one array");
        var values = new byte[count];
        int read = stream.ReadAtLeast(values, values.Length, throwOnEndOfStream: false);
        if (read < values.Length)
        {
            throw new DataFormatException(path,
                $"truncated: the header promises {values.Length} value bytes, the file holds {read}");
        }

        if (stream.ReadByte() != -1)
        {
            throw new DataFormatException(path, $"has bytes past the {values.Length} values its header declares");
        }

        return (header, values);
    });

    /// <summary>A damaged gzip stream surfaces as InvalidDataException; report it against the file.</summary>
    private static T Guard<T>(string path, Func<T> read)
    {
        try
        {
            return read();
        }
        catch (InvalidDataException e)
        {
            throw new DataFormatException(path, $"corrupt gzip data ({e.Message})");
        }
    }

    /// <summary>Writes unsigned-byte values with their dimensions; gzipped when the path ends in ".gz".</summary>
    public static void Write(string path, int[] dimensions, ReadOnlySpan<byte> values)
    {
        long expected = dimensions.Aggregate(1L, (a, d) => a * d);
        if (expected != values.Length)
        {
            throw new ArgumentException($"dimensions {string.Join('x', dimensions)} need {expected} values, got {values.Length}");
        }

        using var file = File.Create(path);
        using Stream stream = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)
            ? new GZipStream(file, CompressionLevel.SmallestSize)
            : file;
        Span<byte> word = stackalloc byte[4];
        stream.Write([0, 0, UnsignedByte, (byte)dimensions.Length]);
        foreach (var d in dimensions)
        {
            BinaryPrimitives.WriteInt32BigEndian(word, d);
            stream.Write(word);
        }

        stream.Write(values);
    }

    private static Header ReadHeader(Stream stream, string path)
    {
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4)
        {
            throw new DataFormatException(path, "truncated: shorter than the 4-byte IDX magic number");
        }

        if (magic[0] != 0 || magic[1] != 0)
        {
            throw new DataFormatException(path,
                $"not an IDX file: magic number starts {magic[0]:x2} {magic[1]:x2}, expected 00 00");
        }

        if (magic[2] != UnsignedByte)
        {
            throw new DataFormatException(path, $"IDX value type 0x{magic[2]:x2} is not supported (expected 0x08, unsigned byte)");
        }

        int rank = magic[3];
        if (rank is < 1 or > 4) throw new DataFormatException(path, $"IDX rank {rank} is not between 1 and 4");
        var dims = new int[rank];
        Span<byte> dim = stackalloc byte[4];
        for (int i = 0; i < rank; i++)
        {
            if (stream.ReadAtLeast(dim, 4, throwOnEndOfStream: false) < 4)
            {
                throw new DataFormatException(path, $"truncated: header ends inside dimension {i}");
            }

            dims[i] = BinaryPrimitives.ReadInt32BigEndian(dim);
            if (dims[i] <= 0) throw new DataFormatException(path, $"dimension {i} is {dims[i]}, expected a positive size");
        }

        return new Header(dims);
    }

    private static Stream Open(string path)
    {
        if (!File.Exists(path)) throw new DataFormatException(path, "file not found");
        Stream file;
        try
        {
            // A dataset may be linked into place; a FIFO or a device (an endless /dev/zero) is not one.
            file = Core.Files.RegularFile.OpenRead(path, followLinks: true);
        }
        catch (Core.Files.RefusedFileException e)
        {
            throw new DataFormatException(path, $"refused, {e.What}");
        }

        if (!path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase)) return new BufferedStream(file, 1 << 16);
        return new BufferedStream(new GZipStream(file, CompressionMode.Decompress), 1 << 16);
    }
}
