using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using Comp.Api.Features.Bands;
using Comp.Api.Tests.Infrastructure;
using Microsoft.Extensions.DependencyInjection;

namespace Comp.Api.Tests.Features.Bands;

public sealed class ChartTests(CompApiFactory factory) : ApiTest(factory)
{
    private static readonly object DemoComparison = new
    {
        component = "total",
        segments = new object[]
        {
            new { label = "ML engineers, California", filter = new { role = "ml-engineer", region = "us-ca" } },
            new { label = "Research scientists, OpenAI", filter = new { role = "research-scientist", employer = "openai" } },
            new { label = "Research scientists, Meta", filter = new { role = "research-scientist", employer = "meta" } },
            new { label = "Designers", filter = new { role = "designer" } },
        },
    };

    private async Task LoadDemoAsync()
    {
        await using var scope = Factory.Services.CreateAsyncScope();
        await Comp.Api.Data.DemoData.DemoDataset.LoadAsync(scope.ServiceProvider.GetRequiredService<Comp.Api.Data.CompDbContext>(), CancellationToken.None);
    }

    [Fact]
    public async Task The_chart_of_one_segment_is_an_svg_with_its_label_and_n()
    {
        await LoadDemoAsync();

        var response = await Factory.CreateExactClient().GetAsync("/v1/bands/chart.svg?role=ml-engineer&region=us-ca&component=base");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("image/svg+xml", response.Content.Headers.ContentType!.MediaType);
        var svg = await response.Content.ReadAsStringAsync();
        Assert.StartsWith("<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"960\" height=\"192\"", svg);
        Assert.Contains("ml-engineer · us-ca", svg);
        Assert.Contains("n = 240 · 12 employers", svg);
        Assert.Contains(">176.7k<", svg); // the median, 176,650
    }

    [Fact]
    public async Task The_compare_chart_puts_130k_and_10M_bands_on_one_log_axis_and_renders_in_Chromium()
    {
        await LoadDemoAsync();

        var response = await Factory.CreateExactClient().PostAsJsonAsync("/v1/bands/chart.svg", DemoComparison);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var svg = await response.Content.ReadAsStringAsync();
        foreach (var text in new[] { "ML engineers, California", "Research scientists, OpenAI", "n = 30 · 1 employer", "suppressed: too_few_datapoints", ">200k<", ">1M<", ">10M<" })
            Assert.Contains(text, svg);

        var height = ChartSvg.HeightFor(4);
        var png = Screenshot(svg, ChartSvg.Width, height);

        Assert.Equal((ChartSvg.Width, height), (png.Width, png.Height));
        var pixels = Enumerable.Range(0, png.Height).SelectMany(y => Enumerable.Range(0, png.Width).Select(x => png.Pixel(x, y))).ToList();
        var nonWhite = pixels.Count(p => p.R < 240 || p.G < 240 || p.B < 240);
        var boxBlue = pixels.Count(p => Math.Abs(p.R - 0x4f) < 40 && Math.Abs(p.G - 0x7d) < 40 && p.B > 0xb0 && p.R < p.B - 60);
        Assert.True(nonWhite > pixels.Count / 50, $"only {nonWhite} of {pixels.Count} pixels are drawn");
        Assert.True(boxBlue > 1_000, $"only {boxBlue} pixels of the p25–p75 boxes");
    }

    /// <summary>Renders an SVG in headless Chromium (Debian's package; deploy/local/test.sh installs it) and reads the PNG.</summary>
    private static Png Screenshot(string svg, int width, int height)
    {
        var chromium = new[] { Environment.GetEnvironmentVariable("COMP_CHROMIUM"), "/usr/bin/chromium", "/usr/bin/chromium-browser" }
            .FirstOrDefault(p => !string.IsNullOrEmpty(p) && File.Exists(p))
            ?? throw new InvalidOperationException("No Chromium: run deploy/local/test.sh (it installs Debian's chromium as root) or apt-get install -y chromium.");
        var dir = Directory.CreateTempSubdirectory("comp-chart-");
        try
        {
            var svgPath = Path.Combine(dir.FullName, "chart.svg");
            var pngPath = Path.Combine(dir.FullName, "chart.png");
            File.WriteAllText(svgPath, svg);
            var start = new ProcessStartInfo(chromium)
            {
                ArgumentList =
                {
                    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
                    "--disable-component-update", "--disable-sync", "--hide-scrollbars", $"--user-data-dir={Path.Combine(dir.FullName, "profile")}",
                    $"--window-size={width},{height}", $"--screenshot={pngPath}", new Uri(svgPath).AbsoluteUri,
                },
                RedirectStandardOutput = true,
                RedirectStandardError = true,
            };
            using var process = Process.Start(start)!;
            var stderr = process.StandardError.ReadToEndAsync();
            if (!process.WaitForExit(60_000))
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException("Chromium did not finish the screenshot within 60 s.");
            }
            Assert.True(File.Exists(pngPath), $"Chromium wrote no screenshot (exit {process.ExitCode}): {stderr.Result}");
            var bytes = File.ReadAllBytes(pngPath);
            // Kept for people to look at: .local/test-results/chart.png when run by deploy/local/test.sh.
            if (Environment.GetEnvironmentVariable("COMP_TEST_RESULTS") is { Length: > 0 } results && Directory.Exists(results))
                File.WriteAllBytes(Path.Combine(results, "chart.png"), bytes);
            return Png.Read(bytes);
        }
        finally
        {
            dir.Delete(recursive: true);
        }
    }
}
