using System.Globalization;
using Parquet;
using Parquet.Schema;

namespace SweepGrid.Cli.Output;

/// <summary>
/// The same tables as the CSV exports, as Parquet (one row group), for pandas, polars, R arrow or
/// Spark. Each column's type follows its values: all integers → int64, any other number → double,
/// otherwise string; every column is nullable (a value not measured is null).
/// </summary>
internal static class ParquetTable
{
    public static async Task WriteAsync(string path, IReadOnlyList<string> columns, IReadOnlyList<IReadOnlyList<object?>> rows)
    {
        var fields = columns.Select((name, i) => Field(name, rows.Select(r => r[i]))).ToArray();
        await using var stream = File.Create(path);
        await using var writer = await ParquetWriter.CreateAsync(new ParquetSchema(fields), stream);
        using var group = writer.CreateRowGroup();
        for (int i = 0; i < fields.Length; i++)
        {
            var values = rows.Select(r => r[i]).ToList();
            switch (fields[i])
            {
                case DataField<long?> f:
                    await group.WriteAsync<long>(f, values.Select(v => v is null ? (long?)null : Convert.ToInt64(v, CultureInfo.InvariantCulture)).ToArray());
                    break;
                case DataField<double?> f:
                    await group.WriteAsync<double>(f, values.Select(v => v is null ? (double?)null : Convert.ToDouble(v, CultureInfo.InvariantCulture)).ToArray());
                    break;
                default:
                    await group.WriteAsync(fields[i], values.Select(v => v is null ? null! : Convert.ToString(v, CultureInfo.InvariantCulture)!).ToArray());
                    break;
            }
        }
    }

    /// <summary>Reads a file written by <see cref="WriteAsync"/> back into rows (for tests and checks).</summary>
    public static async Task<(IReadOnlyList<string> Columns, IReadOnlyList<object?[]> Rows)> ReadAsync(string path)
    {
        await using var reader = await ParquetReader.CreateAsync(path);
        using var group = reader.OpenRowGroupReader(0);
        var fields = reader.Schema.GetDataFields();
        int count = (int)group.RowCount;
        var rows = Enumerable.Range(0, count).Select(_ => new object?[fields.Length]).ToList();
        for (int i = 0; i < fields.Length; i++)
        {
            object?[] values;
            if (fields[i].ClrType == typeof(long))
            {
                var buffer = new long?[count];
                await group.ReadAsync<long>(fields[i], buffer);
                values = buffer.Select(v => (object?)v).ToArray();
            }
            else if (fields[i].ClrType == typeof(double))
            {
                var buffer = new double?[count];
                await group.ReadAsync<double>(fields[i], buffer);
                values = buffer.Select(v => (object?)v).ToArray();
            }
            else
            {
                var buffer = new string[count];
                await group.ReadAsync(fields[i], buffer);
                values = buffer.Select(v => (object?)v).ToArray();
            }

            for (int r = 0; r < count; r++) rows[r][i] = values[r];
        }

        return (fields.Select(f => f.Name).ToList(), rows);
    }

    private static DataField Field(string name, IEnumerable<object?> values)
    {
        var present = values.Where(v => v is not null).ToList();
        if (present.Count > 0 && present.All(v => v is long or int)) return new DataField<long?>(name);
        if (present.Count > 0 && present.All(v => v is long or int or double or float)) return new DataField<double?>(name);
        return new DataField<string>(name);
    }
}
