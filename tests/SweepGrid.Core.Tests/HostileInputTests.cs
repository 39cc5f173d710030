using SweepGrid.Core.Sweeps;

namespace SweepGrid.Core.Tests;

/// <summary>
/// Sweep files and names as an attacker, or an accident, would write them: each is refused with an
/// error that names the key, and nothing becomes a path outside its folder.
/// </summary>
public sealed class HostileInputTests
{
    private const string Valid = """
        sweep {
          name = demo
          dataset { name = synthetic }
          base { batch-size = 16, learning-rate = 0.05, epochs = 2 }
          grid { batch-size = [16, 32] }
        }
        """;

    private static SweepValidationException Refused(string text) =>
        Assert.Throws<SweepValidationException>(() => SweepFile.Parse(text, "bad.hocon"));

    [Theory]
    [InlineData("\"../../etc\"", "../../etc")]
    [InlineData("\"/tmp/x\"", "/tmp/x")]
    [InlineData("\"a/b\"", "a/b")]
    [InlineData("\".hidden\"", ".hidden")]
    [InlineData("\"tab\\there\"", "tab\there")]
    public void A_sweep_name_that_could_be_a_path_is_refused(string written, string name)
    {
        var error = Assert.Single(Refused(Valid.Replace("name = demo", $"name = {written}")).Errors);
        Assert.Equal("sweep.name", error.Path);
        Assert.Contains(Names.SweepNameProblem(name)!, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_sweep_name_longer_than_the_limit_is_refused()
    {
        var error = Assert.Single(Refused(Valid.Replace("name = demo", $"name = {new string('a', Names.MaxSweepName + 1)}")).Errors);
        Assert.Equal("sweep.name", error.Path);
        Assert.Contains($"at most {Names.MaxSweepName}", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("include \"other.conf\"\n")]
    [InlineData("include required(file(\"/etc/passwd\"))\n")]
    public void An_include_is_refused_before_the_parser_sees_it(string prefix)
    {
        var error = Assert.Single(Refused(prefix + Valid).Errors);
        Assert.Contains("include is not allowed", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_key_or_value_that_merely_contains_the_word_include_is_fine()
    {
        var spec = SweepFile.Parse(Valid.Replace("name = demo", "name = include-all"), "ok.hocon");
        Assert.Equal("include-all", spec.Name);
    }

    [Fact]
    public void Nesting_deeper_than_the_limit_is_refused_instead_of_overflowing_the_stack()
    {
        int depth = 100_000;
        var text = Valid + "\nx = " + new string('[', depth) + new string(']', depth);
        var error = Assert.Single(Refused(text).Errors);
        Assert.Contains($"nested more than {HoconSyntaxCheck.MaxDepth} levels deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_larger_than_the_limit_is_refused_without_being_parsed()
    {
        var text = Valid + "\n# " + new string('x', SweepFile.MaxFileBytes);
        var error = Assert.Single(Refused(text).Errors);
        Assert.Equal("file", error.Path);
        Assert.Contains("at most 1,048,576", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("epochs = 2", "epochs = 100001", "sweep.base.epochs", "must be at most 100,000, got 100,001")]
    [InlineData("batch-size = [16, 32]", "batch-size = [16, 100000001]", "sweep.grid.batch-size[1]", "must be at most 100,000,000")]
    [InlineData("learning-rate = 0.05", "learning-rate = 1e300", "sweep.base.learning-rate", "at most")]
    [InlineData("dataset { name = synthetic }", "dataset { name = synthetic, synthetic { train-size = 10000000, features = 1000000 } }", "sweep.dataset.synthetic.train-size", "more than 2,000,000,000 values")]
    [InlineData("grid { batch-size = [16, 32] }", "grid { batch-size = [16, 32] }\nmodel { hidden = [70000] }", "sweep.model.hidden[0]", "must be at most 65,536, got 70,000")]
    public void Numbers_beyond_what_any_machine_could_train_are_refused(string from, string to, string path, string message)
    {
        Assert.Contains(from, Valid + "model");
        var errors = Refused(Valid.Replace(from, to)).Errors;
        Assert.Contains(errors, e => e.Path == path && e.Message.Contains(message, StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../escape")]
    [InlineData("/etc/passwd")]
    [InlineData("a/../../b")]
    [InlineData("")]
    public void A_path_part_cannot_lead_out_of_its_folder(string part)
    {
        var root = Path.Combine(Path.GetTempPath(), "sweepgrid-safepath-root");
        var error = Assert.Throws<InvalidDataException>(() => SafePath.Under(root, part));
        Assert.Contains("not a path inside", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_path_part_inside_its_folder_is_kept()
    {
        var root = Path.Combine(Path.GetTempPath(), "sweepgrid-safepath-root");
        Assert.Equal(Path.Combine(Path.GetFullPath(root), "weights", "demo", "0123456789ab.pt"), SafePath.Under(root, "weights", "demo", "0123456789ab.pt"));
    }

    [Theory]
    [InlineData("0123456789ab", true)]
    [InlineData("0123456789AB", false)]
    [InlineData("../../../etc", false)]
    [InlineData("0123456789abc", false)]
    [InlineData("", false)]
    public void Trial_ids_are_exactly_twelve_lowercase_hex_digits(string id, bool valid)
    {
        Assert.Equal(valid, Names.IsTrialId(id));
    }

    [Fact]
    public void A_name_shown_in_a_message_has_its_control_characters_escaped_and_is_cut_short()
    {
        var shown = Names.Printable("evil\u001b[2Jname" + new string('x', 200));
        Assert.StartsWith("evil\\u001b[2Jname", shown, StringComparison.Ordinal);
        Assert.True(shown.Length <= 81 + 5, shown);
        Assert.DoesNotContain('\u001b', shown);
    }
}
