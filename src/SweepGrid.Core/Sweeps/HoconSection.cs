using System.Globalization;
using Akka.Configuration.Hocon;

namespace SweepGrid.Core.Sweeps;

/// <summary>
/// Typed, path-aware reads of one HOCON object. Every read records the key as known, so that
/// <see cref="RejectUnknownKeys"/> can name whatever the user wrote that nobody reads (usually a typo).
/// Problems are collected, not thrown, so a user sees all of them at once.
/// </summary>
internal sealed class HoconSection
{
    private readonly HoconObject? _object;
    private readonly string _path;
    private readonly List<ValidationError> _errors;
    private readonly List<string> _known = [];

    /// <summary>Every key path any section of this file was asked for, when someone wants to know (<see cref="SweepFile.KeysRead"/>).</summary>
    private readonly ISet<string>? _read;

    public HoconSection(HoconObject? obj, string path, List<ValidationError> errors, ISet<string>? read = null)
    {
        _object = obj;
        _path = path;
        _errors = errors;
        _read = read;
    }

    public bool Has(string key) => _object?.Items.ContainsKey(key) == true;

    public string PathOf(string key) => _path.Length == 0 ? key : $"{_path}.{key}";

    public void Error(string key, string message) => _errors.Add(new ValidationError(PathOf(key), message));

    public HoconSection Section(string key)
    {
        var value = Get(key);
        if (value is null) return new HoconSection(null, PathOf(key), _errors, _read);
        if (!value.IsObject())
        {
            Error(key, $"must be an object {{ ... }}, got {Describe(value)}");
            return new HoconSection(null, PathOf(key), _errors, _read);
        }

        return new HoconSection(value.GetObject(), PathOf(key), _errors, _read);
    }

    /// <summary>
    /// An object, or a list of objects (paths key[0], key[1], ...). Absent gives one empty section, so
    /// every key takes its default.
    /// </summary>
    public IReadOnlyList<HoconSection> Sections(string key)
    {
        var value = Get(key);
        if (value is null) return [new HoconSection(null, PathOf(key), _errors, _read)];
        if (value.IsObject()) return [new HoconSection(value.GetObject(), PathOf(key), _errors, _read)];
        if (value.IsArray() && value.GetArray() is { Count: > 0 } items && items.All(i => i.IsObject()))
        {
            return items.Select((item, i) => new HoconSection(item.GetObject(), $"{PathOf(key)}[{i}]", _errors, _read)).ToList();
        }

        Error(key, $"must be an object {{ ... }} or a non-empty list of objects [{{ ... }}, {{ ... }}], got {Describe(value)}");
        return [new HoconSection(null, PathOf(key), _errors, _read)];
    }

    public string Path => _path;

    public string String(string key, string fallback, IReadOnlyCollection<string>? allowed = null)
    {
        var value = Get(key);
        if (value is null) return fallback;
        var text = Scalar(key, value, "a string");
        if (text is null) return fallback;
        if (allowed is not null && !allowed.Contains(text))
        {
            Error(key, $"must be one of {string.Join(" | ", allowed)}, got \"{text}\"");
            return fallback;
        }

        return text;
    }

    public bool Bool(string key, bool fallback)
    {
        var value = Get(key);
        if (value is null) return fallback;
        return ParseBool(PathOf(key), Scalar(key, value, "true or false")) ?? fallback;
    }

    private bool? ParseBool(string path, string? text)
    {
        switch (text)
        {
            case null: return null;
            case "true" or "on" or "yes": return true;
            case "false" or "off" or "no": return false;
            default:
                _errors.Add(new ValidationError(path, $"must be true or false, got \"{text}\""));
                return null;
        }
    }

    /// <param name="max">Past this a value is certainly a mistake (documented in reference.hocon).</param>
    public int Int(string key, int fallback, int min, int max = int.MaxValue)
    {
        var value = Get(key);
        if (value is null) return fallback;
        return ParseInt(PathOf(key), Scalar(key, value, "an integer"), min, max) ?? fallback;
    }

    public double Double(string key, double fallback, double min, bool exclusiveMin, double max = double.MaxValue)
    {
        var value = Get(key);
        if (value is null) return fallback;
        return ParseDouble(PathOf(key), Scalar(key, value, "a number"), min, exclusiveMin, max) ?? fallback;
    }

    /// <summary>A list of integers from <paramref name="min"/> to <paramref name="max"/>, at most <paramref name="maxCount"/> of them; absent gives <paramref name="fallback"/>.</summary>
    public IReadOnlyList<int> IntList(string key, IReadOnlyList<int> fallback, int min, int max = int.MaxValue, int maxCount = int.MaxValue) =>
        List(key, fallback, isAxis: false, (path, text) => Ok(ParseInt(path, text, min, max)), maxCount);

    /// <summary>A list of distinct numbers above (or from) <paramref name="min"/> up to <paramref name="max"/>, possibly empty (not an axis).</summary>
    public IReadOnlyList<double> DoubleList(string key, IReadOnlyList<double> fallback, double min, bool exclusiveMin, double max, int maxCount)
    {
        var list = List(key, fallback, isAxis: false, (path, text) => Ok(ParseDouble(path, text, min, exclusiveMin, max)), maxCount);
        if (list.Count != list.Distinct().Count()) Error(key, "lists a value twice");
        return list;
    }

    /// <summary>A grid axis: a non-empty list of distinct integers from <paramref name="min"/> to <paramref name="max"/>.</summary>
    public IReadOnlyList<int> IntAxis(string key, IReadOnlyList<int> fallback, int min, int max = int.MaxValue) =>
        List(key, fallback, isAxis: true, (path, text) => Ok(ParseInt(path, text, min, max)));

    /// <summary>The batch-size axis: positive integers up to <paramref name="max"/>, or <c>full</c> (<see cref="GridAxes.FullBatch"/>).</summary>
    public IReadOnlyList<int> BatchSizeAxis(string key, IReadOnlyList<int> fallback, int max = int.MaxValue) =>
        List(key, fallback, isAxis: true, (path, text) =>
        {
            if (text == "full") return (true, GridAxes.FullBatch);
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out _)) return Ok(ParseInt(path, text, 1, max));
            _errors.Add(new ValidationError(path, $"must be a positive integer or full, got \"{text}\""));
            return (false, 0);
        });

    /// <summary>A grid axis: a non-empty list of distinct finite numbers above (or from) <paramref name="min"/>, up to <paramref name="max"/>.</summary>
    public IReadOnlyList<double> DoubleAxis(string key, IReadOnlyList<double> fallback, double min, bool exclusiveMin, double max = double.MaxValue) =>
        List(key, fallback, isAxis: true, (path, text) => Ok(ParseDouble(path, text, min, exclusiveMin, max)));

    public void RejectUnknownKeys()
    {
        if (_object is null) return;
        foreach (var key in _object.Items.Keys.Where(k => !_known.Contains(k)))
        {
            Error(key, $"unknown key (known keys here: {string.Join(", ", _known)})");
        }
    }

    /// <summary>A grid axis of names, each one of <paramref name="allowed"/>.</summary>
    public IReadOnlyList<string> StringAxis(string key, IReadOnlyList<string> fallback, IReadOnlyCollection<string> allowed) =>
        List(key, fallback, isAxis: true, OneOf(allowed));

    /// <summary>A list of names, each one of <paramref name="allowed"/>, possibly empty (not an axis).</summary>
    public IReadOnlyList<string> StringList(string key, IReadOnlyList<string> fallback, IReadOnlyCollection<string> allowed) =>
        List(key, fallback, isAxis: false, OneOf(allowed));

    private Func<string, string?, (bool Ok, string Value)> OneOf(IReadOnlyCollection<string> allowed) => (path, text) =>
    {
        if (text is not null && allowed.Contains(text)) return (true, text);
        _errors.Add(new ValidationError(path, $"must be one of {string.Join(" | ", allowed)}, got \"{text}\""));
        return (false, "");
    };

    /// <summary>A grid axis of booleans.</summary>
    public IReadOnlyList<bool> BoolAxis(string key, IReadOnlyList<bool> fallback) =>
        List(key, fallback, isAxis: true, (path, text) => Ok(ParseBool(path, text)));

    private IReadOnlyList<T> List<T>(
        string key, IReadOnlyList<T> fallback, bool isAxis, Func<string, string?, (bool Ok, T Value)> parse, int maxCount = int.MaxValue)
    {
        var value = Get(key);
        if (value is null) return fallback;
        // Akka's parser turns "[ ]" into an empty array part followed by a whitespace literal,
        // which IsArray() does not recognise as a list.
        bool empty = value.Values.Count > 0 && value.Values.All(part =>
            part is HoconArray { Count: 0 } || (part is HoconLiteral literal && string.IsNullOrWhiteSpace(literal.Value)));
        if (!empty && !value.IsArray())
        {
            Error(key, $"must be a list [ ... ], got {Describe(value)}");
            return fallback;
        }

        var items = empty ? [] : value.GetArray();
        if (items.Count > maxCount)
        {
            Error(key, $"lists {items.Count} values; at most {maxCount}");
            return fallback;
        }

        if (items.Count == 0 && isAxis)
        {
            Error(key, "must not be empty: list at least one value, or leave the key out for its default");
            return fallback;
        }

        var result = new List<T>(items.Count);
        for (int i = 0; i < items.Count; i++)
        {
            var path = $"{PathOf(key)}[{i}]";
            string? text = null;
            if (items[i].IsString()) text = items[i].GetString();
            else _errors.Add(new ValidationError(path, $"must be a single value, got {Describe(items[i])}"));
            if (text is not null && parse(path, text) is (true, var parsed)) result.Add(parsed);
        }

        if (isAxis && result.Count != result.Distinct().Count()) Error(key, "lists a value twice");
        return result.Count == items.Count ? result : fallback;
    }

    private static (bool Ok, T Value) Ok<T>(T? value)
        where T : struct => value is { } v ? (true, v) : (false, default);

    private HoconValue? Get(string key)
    {
        _known.Add(key);
        _read?.Add(PathOf(key));
        return _object is not null && _object.Items.TryGetValue(key, out var value) ? value : null;
    }

    private string? Scalar(string key, HoconValue value, string expected)
    {
        if (value.IsString() && value.GetString() is { } text) return text;
        Error(key, $"must be {expected}, got {Describe(value)}");
        return null;
    }

    private int? ParseInt(string path, string? text, int min, int max)
    {
        if (text is null) return null;
        if (!int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var parsed))
        {
            _errors.Add(new ValidationError(path, $"must be an integer, got \"{text}\""));
            return null;
        }

        if (parsed < min)
        {
            var rule = min == 1 ? "a positive integer" : $"an integer ≥ {min}";
            _errors.Add(new ValidationError(path, $"must be {rule}, got {parsed}"));
            return null;
        }

        if (parsed > max)
        {
            _errors.Add(new ValidationError(path, string.Create(CultureInfo.InvariantCulture, $"must be at most {max:N0}, got {parsed:N0}")));
            return null;
        }

        return parsed;
    }

    private double? ParseDouble(string path, string? text, double min, bool exclusiveMin, double max)
    {
        if (text is null) return null;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) ||
            !double.IsFinite(parsed))
        {
            _errors.Add(new ValidationError(path, $"must be a finite number, got \"{text}\""));
            return null;
        }

        if (exclusiveMin ? parsed <= min : parsed < min)
        {
            var rule = exclusiveMin ? (min == 0 ? "positive" : $"> {min}") : (min == 0 ? "≥ 0" : $"≥ {min}");
            _errors.Add(new ValidationError(path, $"must be {rule}, got {text}"));
            return null;
        }

        if (parsed > max)
        {
            _errors.Add(new ValidationError(path, string.Create(CultureInfo.InvariantCulture, $"must be at most {max:G}, got {text}")));
            return null;
        }

        return parsed;
    }

    private static string Describe(HoconValue value) =>
        value.IsObject() ? "an object"
        : value.IsArray() ? "a list"
        : value.IsString() ? $"\"{value.GetString()}\""
        : "nothing";
}
