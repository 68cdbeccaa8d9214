using System.Diagnostics;
using k8s;
using YamlDotNet.RepresentationModel;

namespace Comp.Deploy.Tests;

/// <summary>
/// What <c>kubectl apply -k deploy/k8s</c> would send, read against the Kubernetes API's types
/// without a cluster: <c>kubectl kustomize</c> builds it, and KubernetesClient's models, which are
/// generated from the Kubernetes OpenAPI document, read every built-in resource strictly, so a field
/// the API does not have (a misspelt <c>readOnlyRootFilesystem</c> is silently ignored by a lenient
/// reader) or a value of the wrong type fails. kubectl's own validation needs a cluster's schema.
/// Not checked here: required fields and enum values (the fields the service relies on are checked
/// by <see cref="KubernetesTests"/>), and the CloudNativePG <c>Cluster</c>, whose schema comes with
/// its operator.
/// </summary>
public class KubernetesSchemaTests
{
    static readonly Lazy<IReadOnlyList<string>> Built = new(() => Documents(Kustomize()));

    static string Kustomize()
    {
        var start = new ProcessStartInfo("kubectl", ["kustomize", Repo.K8s]) { RedirectStandardOutput = true, RedirectStandardError = true };
        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (System.ComponentModel.Win32Exception ex)
        {
            throw new InvalidOperationException("kubectl is not installed: these tests build deploy/k8s with `kubectl kustomize`.", ex);
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            var output = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, $"kubectl kustomize deploy/k8s failed: {stderr.Result}");
            return output;
        }
    }

    static IReadOnlyList<string> Documents(string yaml) =>
        yaml.Split("\n---\n").Where(d => !string.IsNullOrWhiteSpace(d)).ToList();

    static (string ApiVersion, string Kind, string Name) Header(string document)
    {
        var stream = new YamlStream();
        stream.Load(new StringReader(document));
        var root = Assert.Single(stream.Documents).RootNode;
        return (root.Str("apiVersion") ?? "", root.Str("kind") ?? "", root.Str("metadata", "name") ?? "");
    }

    [Fact]
    public void Kustomize_builds_every_resource_of_the_kustomization()
    {
        var kinds = Built.Value.Select(d => Header(d).Kind).Order(StringComparer.Ordinal);

        Assert.Equal(["Cluster", "ConfigMap", "Deployment", "HorizontalPodAutoscaler", "Job", "Namespace", "Secret", "Service"], kinds);
    }

    [Fact]
    public void Every_built_in_resource_reads_strictly_as_its_Kubernetes_type()
    {
        var problems = new List<string>();
        foreach (var document in Built.Value)
        {
            var (apiVersion, kind, name) = Header(document);
            if (apiVersion.StartsWith("postgresql.cnpg.io/", StringComparison.Ordinal))
                continue;
            try
            {
                var read = Assert.Single(KubernetesYaml.LoadAllFromString(document, strict: true));
                Assert.Equal(kind, ((IKubernetesObject)read).Kind);
            }
            catch (Exception ex) when (ex is not Xunit.Sdk.XunitException)
            {
                problems.Add($"{kind} {name}: {ex.Message} {ex.InnerException?.Message}");
            }
        }

        Assert.Empty(problems);
    }

    [Fact]
    public void A_misspelt_field_fails_the_strict_reading()
    {
        var deployment = Assert.Single(Built.Value, d => Header(d).Kind == "Deployment");
        Assert.Contains("readOnlyRootFilesystem:", deployment);

        var misspelt = deployment.Replace("readOnlyRootFilesystem:", "readOnlyRootFilesytem:", StringComparison.Ordinal);

        var refused = Assert.ThrowsAny<Exception>(() => KubernetesYaml.LoadAllFromString(misspelt, strict: true));
        Assert.Contains("readOnlyRootFilesytem", refused.Message + refused.InnerException?.Message, StringComparison.Ordinal);
    }
}
