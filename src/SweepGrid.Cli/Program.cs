using System.CommandLine;
using SweepGrid.Cli;

return await Cli.Build(Console.Out, Console.Error).Parse(args).InvokeAsync();
