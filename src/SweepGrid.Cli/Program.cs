using SweepGrid.Cli;

// An exception on a thread that is not the command's (a library's callback, a timer) ends the process
// with SIGABRT; the node's log file should say what it was, not only its stderr, which may be gone.
AppDomain.CurrentDomain.UnhandledException += (_, e) =>
{
    Serilog.Log.Fatal(e.ExceptionObject as Exception, "Unhandled exception on a thread of this process; it ends");
    Serilog.Log.CloseAndFlush();
};

var exitCode = await Cli.InvokeAsync(args, Console.Out, Console.Error);
try
{
    await Serilog.Log.CloseAndFlushAsync();
}
catch (IOException e)
{
    // The log file's last lines could not be written (its disk is full): the command has already said
    // what happened on stderr, and its exit code stands.
    Console.Error.WriteLine($"warning: the log file could not be completed: {e.Message}");
}

return exitCode;
