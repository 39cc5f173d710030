using System.Buffers.Binary;
using System.Text.Json;
using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Workers;

/// <summary>
/// A <see cref="WorkerMessage"/> on a byte stream: a 4-byte little-endian length, then that many bytes
/// of JSON (<see cref="SweepJson"/>). The slot and its worker speak over the worker's stdin and stdout:
/// a private pipe, which needs no port, no authentication and no discovery, and whose end of file tells
/// each side at once that the other is gone (a parent killed with SIGKILL closes the child's stdin).
/// </summary>
public static class WorkerFrames
{
    /// <summary>
    /// A frame this long is a broken stream, not a message: a whole epoch's trajectory points at every
    /// step of a 10,000-step epoch are a few megabytes.
    /// </summary>
    public const int MaxFrameBytes = 256 * 1024 * 1024;

    public static void Write(Stream stream, WorkerMessage message)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(message, SweepJson.Options);
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(length, json.Length);
        stream.Write(length);
        stream.Write(json);
        stream.Flush();
    }

    /// <summary>The next message, or null at the end of the stream (the other side is gone).</summary>
    /// <exception cref="InvalidDataException">The stream does not hold frames (a length out of range, a truncated frame, JSON that is not a message).</exception>
    public static WorkerMessage? Read(Stream stream)
    {
        Span<byte> header = stackalloc byte[4];
        int got = ReadFully(stream, header);
        if (got == 0) return null;
        if (got < 4) throw new InvalidDataException($"the stream ended inside a frame's length ({got} of 4 bytes)");
        int length = BinaryPrimitives.ReadInt32LittleEndian(header);
        if (length is <= 0 or > MaxFrameBytes) throw new InvalidDataException($"frame length {length} is outside 1..{MaxFrameBytes}");
        var body = new byte[length];
        if (ReadFully(stream, body) < length) throw new InvalidDataException($"the stream ended inside a frame of {length} bytes");
        try
        {
            return JsonSerializer.Deserialize<WorkerMessage>(body, SweepJson.Options)
                   ?? throw new InvalidDataException("a frame held null");
        }
        catch (Exception e) when (e is JsonException or NotSupportedException)
        {
            throw new InvalidDataException($"a frame is not a worker message: {e.Message}", e);
        }
    }

    private static int ReadFully(Stream stream, Span<byte> buffer)
    {
        int total = 0;
        while (total < buffer.Length)
        {
            int n = stream.Read(buffer[total..]);
            if (n == 0) break;
            total += n;
        }

        return total;
    }
}
