using System.Diagnostics;
using System.Globalization;
using System.Net;
using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using SweepGrid.Cli.Commands;
using SweepGrid.Cli.Dashboard;
using SweepGrid.Store;
using SweepGrid.Tests.Shared;

namespace SweepGrid.Cli.Tests.Dashboard;

/// <summary>
/// The dashboard in a real headless Chromium (Debian's chromium and chromium-driver, installed by
/// .ci/chromium.sh when missing), driven by Selenium: what a researcher clicks and sees.
/// </summary>
public sealed class DashboardBrowserTests : TempDirectoryTest
{
    private static readonly Lazy<(string Browser, string Driver)> Chromium = new(() =>
    {
        var script = Path.Combine(TestMachine.RepoRoot(), ".ci", "chromium.sh");
        using var process = Process.Start(new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var paths = process.StandardOutput.ReadToEnd().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        Assert.True(process.ExitCode == 0, $".ci/chromium.sh failed: {error}");
        return (paths[0], paths[1]);
    });

    private string Store => Path.Combine(Dir, "store");

    private static ChromeDriver Browser()
    {
        var (browser, driver) = Chromium.Value;
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(driver)!, Path.GetFileName(driver));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var options = new ChromeOptions { BinaryLocation = browser };
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1400,1000");
        return new ChromeDriver(service, options, TimeSpan.FromSeconds(60));
    }

    private async Task<(Microsoft.AspNetCore.Builder.WebApplication App, string Url)> Serve()
    {
        var app = DashboardServer.Build(Stores.ReadOnly(Store), IPAddress.Loopback, 0);
        await app.StartAsync();
        return (app, ServeCommand.Url(app));
    }

    [Fact]
    public async Task From_the_sweeps_page_to_a_trial_the_numbers_shown_are_the_stores()
    {
        var file = Path.Combine(Dir, "dash.hocon");
        File.WriteAllText(file, DashboardServerTests.Sweep);
        Assert.Equal(0, (await CliRunner.Run("run", file, "--store", Store, "--quiet")).ExitCode);
        var store = new ResultsStore(Store);
        var (app, url) = await Serve();
        await using var _ = app;
        using var browser = Browser();

        browser.Navigate().GoToUrl(url);
        browser.FindElement(By.LinkText("dash")).Click();
        var trial = (string)browser.ExecuteScript("return document.querySelectorAll('#trials tbody tr')[1].dataset.trial;")!;
        // A live update may swap the row in between finding its link and clicking it: find it again then.
        var clicking = new WebDriverWait(browser, TimeSpan.FromSeconds(30));
        clicking.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
        clicking.Until(b =>
        {
            b.FindElement(By.CssSelector($"#trials a[href='/sweeps/dash/trials/{trial}']")).Click();
            return true;
        });

        Assert.EndsWith($"/sweeps/dash/trials/{trial}", browser.Url);
        var stored = store.Read.Epochs("dash").Where(e => e.Trial == trial).ToList();
        // Read in the page in one step: the live update swaps the table in, and elements found before it would be stale.
        var shown = ((IReadOnlyCollection<object>)browser.ExecuteScript(
                "return Array.from(document.querySelectorAll('#epochs tbody tr')).map(r => Array.from(r.cells).map(c => c.textContent));")!)
            .Select(r => ((IReadOnlyCollection<object>)r).Cast<string>().ToList()).ToList();
        Assert.Equal(stored.Select(e => e.Epoch.ToString(CultureInfo.InvariantCulture)), shown.Select(r => r[0]));
        Assert.Equal(stored.Select(e => e.TestAccuracy.ToString("F4", CultureInfo.InvariantCulture)), shown.Select(r => r[6]));
        Assert.Equal(stored.Select(e => e.TrainLoss.ToString("F4", CultureInfo.InvariantCulture)), shown.Select(r => r[3]));
        // The vendored uPlot loaded and drew the trial's curves.
        new WebDriverWait(browser, TimeSpan.FromSeconds(30)).Until(b => b.FindElements(By.CssSelector("#chart-epochs-acc canvas")).Count > 0);
    }

    [Fact]
    public async Task A_new_epoch_of_a_running_sweep_appears_on_the_open_page_without_a_reload()
    {
        var file = Path.Combine(Dir, "live.hocon");
        File.WriteAllText(file, """
            sweep {
              name = live
              dataset { name = synthetic, synthetic { train-size = 4096, test-size = 32, features = 16, classes = 2 } }
              model { hidden = [32] }
              base { batch-size = 32, learning-rate = 0.05, epochs = 100000 }
              metrics { flatness = [] }
            }
            """);
        // A real sweep process beside the dashboard, as on a cluster. Its one trial cannot end while the
        // test looks (100,000 epochs of 128 steps: hours), so an epoch is always about to grow; a trial
        // of a few seconds could end before the page opened, and then no epoch ever grows.
        using var sweep = CliRunner.Start("run", file, "--store", Store, "--quiet");
        sweep.BeginOutputReadLine(); // drained, so that a full pipe never stalls the run
        sweep.BeginErrorReadLine();
        try
        {
            var (app, url) = await Serve();
            await using var _ = app;
            using var http = new HttpClient { BaseAddress = new Uri(url) };
            await Until(async () => (await http.GetAsync("/api/sweeps/live/trials")).IsSuccessStatusCode && new ResultsStore(Store).Read.CountEpochs("live") > 0);
            using var browser = Browser();
            browser.Navigate().GoToUrl($"{url}/sweeps/live");
            browser.ExecuteScript("window.sameDocument = 'yes';");
            var wait = new WebDriverWait(browser, TimeSpan.FromSeconds(90));
            // Read in the page in one step: the live update replaces the row, and an element found before it would be stale.
            long Epoch()
            {
                Assert.False(sweep.HasExited, $"the sweep process ended (exit {(sweep.HasExited ? sweep.ExitCode : 0)}) while the test waited for its epochs to grow");
                return long.Parse((string)browser.ExecuteScript("return document.querySelector('#trials tbody tr td[data-epoch]').textContent;")!,
                    CultureInfo.InvariantCulture);
            }

            long Pushes() => long.Parse((string?)browser.ExecuteScript("return document.body.dataset.pushes || '0';") ?? "0", CultureInfo.InvariantCulture);
            // After the first update (which fetches every line) the stream pushes the changed lines: the
            // epoch that grows after a push was swapped in from one.
            wait.Until(_ => Epoch() > 0 && Pushes() > 0);
            long before = Epoch();

            wait.Until(_ => Epoch() > before);

            Assert.Equal("yes", browser.ExecuteScript("return window.sameDocument;"));
            Assert.True(long.Parse((string)browser.ExecuteScript("return document.body.dataset.updates;")!, CultureInfo.InvariantCulture) > 1);
            Assert.True(Epoch() <= new ResultsStore(Store).Read.LastEpochs("live").Values.Single(), "the page shows no epoch the store does not have");
        }
        finally
        {
            sweep.Kill(entireProcessTree: true);
            await sweep.WaitForExitAsync();
        }
    }

    private static async Task Until(Func<Task<bool>> condition)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(120);
        while (!await condition())
        {
            Assert.True(DateTime.UtcNow < deadline, "the sweep did not start storing epochs within 2 minutes");
            await Task.Delay(200);
        }
    }
}
