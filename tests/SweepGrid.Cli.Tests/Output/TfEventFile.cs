using System.Buffers.Binary;
using System.Text;

namespace SweepGrid.Cli.Tests.Output;

/// <summary>
/// An independent reader of TensorBoard event files, to check what TorchSharp's writer produced: TFRecord
/// framing (uint64 length, masked CRC-32C of the length, the bytes, masked CRC-32C of the bytes), then
/// the Event protobuf's step (field 2) and summary values (field 5 → value 1 → tag 1, simple_value 2).
/// </summary>
internal static class TfEventFile
{
    public sealed record Scalar(long Step, string Tag, float Value);

    public sealed record Contents(string? FileVersion, IReadOnlyList<Scalar> Scalars);

    public static Contents Read(string path)
    {
        var bytes = File.ReadAllBytes(path);
        var scalars = new List<Scalar>();
        string? version = null;
        int at = 0;
        while (at < bytes.Length)
        {
            if (bytes.Length - at < 12) throw new InvalidDataException($"{path}: truncated record header at byte {at}");
            var lengthBytes = bytes.AsSpan(at, 8);
            ulong length = BinaryPrimitives.ReadUInt64LittleEndian(lengthBytes);
            uint lengthCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(at + 8, 4));
            if (lengthCrc != MaskedCrc(lengthBytes)) throw new InvalidDataException($"{path}: length CRC mismatch at byte {at}");
            int start = at + 12;
            if ((ulong)(bytes.Length - start) < length + 4) throw new InvalidDataException($"{path}: truncated record at byte {at}");
            var data = bytes.AsSpan(start, (int)length);
            uint dataCrc = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan(start + (int)length, 4));
            if (dataCrc != MaskedCrc(data)) throw new InvalidDataException($"{path}: data CRC mismatch at byte {at}");
            ParseEvent(data.ToArray(), scalars, ref version);
            at = start + (int)length + 4;
        }

        return new Contents(version, scalars);
    }

    private static void ParseEvent(byte[] e, List<Scalar> scalars, ref string? version)
    {
        long step = 0;
        var values = new List<(string Tag, float Value)>();
        foreach (var (field, wire, value, body) in Fields(e))
        {
            if (field == 2 && wire == 0) step = (long)value;
            else if (field == 3 && wire == 2) version = Encoding.UTF8.GetString(body);
            else if (field == 5 && wire == 2)
            {
                foreach (var (vf, vw, _, vbody) in Fields(body))
                {
                    if (vf != 1 || vw != 2) continue;
                    string tag = "";
                    float simple = float.NaN;
                    foreach (var (f, w, v, b) in Fields(vbody))
                    {
                        if (f == 1 && w == 2) tag = Encoding.UTF8.GetString(b);
                        if (f == 2 && w == 5) simple = BitConverter.Int32BitsToSingle((int)(uint)v);
                    }

                    values.Add((tag, simple));
                }
            }
        }

        scalars.AddRange(values.Select(v => new Scalar(step, v.Tag, v.Value)));
    }

    /// <summary>Protobuf wire format: (field, wire type, varint/fixed value, length-delimited body).</summary>
    private static IEnumerable<(int Field, int Wire, ulong Value, byte[] Body)> Fields(byte[] m)
    {
        int i = 0;
        while (i < m.Length)
        {
            ulong key = Varint(m, ref i);
            int field = (int)(key >> 3), wire = (int)(key & 7);
            switch (wire)
            {
                case 0: yield return (field, wire, Varint(m, ref i), []); break;
                case 1: yield return (field, wire, BinaryPrimitives.ReadUInt64LittleEndian(m.AsSpan(i, 8)), []); i += 8; break;
                case 5: yield return (field, wire, BinaryPrimitives.ReadUInt32LittleEndian(m.AsSpan(i, 4)), []); i += 4; break;
                case 2:
                    int n = (int)Varint(m, ref i);
                    yield return (field, wire, 0, m.AsSpan(i, n).ToArray());
                    i += n;
                    break;
                default: throw new InvalidDataException($"unexpected protobuf wire type {wire}");
            }
        }
    }

    private static ulong Varint(byte[] m, ref int i)
    {
        ulong result = 0;
        for (int shift = 0; ; shift += 7)
        {
            byte b = m[i++];
            result |= (ulong)(b & 0x7F) << shift;
            if ((b & 0x80) == 0) return result;
        }
    }

    /// <summary>TFRecord's masked CRC-32C (Castagnoli, reflected polynomial 0x82F63B78): rotate right 15, add 0xa282ead8.</summary>
    private static uint MaskedCrc(ReadOnlySpan<byte> data)
    {
        uint crc = 0xFFFFFFFF;
        foreach (byte b in data)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? (crc >> 1) ^ 0x82F63B78 : crc >> 1;
        }

        crc = ~crc;
        return ((crc >> 15) | (crc << 17)) + 0xa282ead8;
    }
}
