using YamlDotNet.RepresentationModel;

namespace Comp.Deploy.Tests;

public class ComposeTests
{
    static readonly YamlMappingNode Compose = (YamlMappingNode)Assert.Single(Repo.LoadYaml(Repo.ComposeFile)).RootNode;
    static readonly YamlNode Api = Compose.At("services", "api")!;

    [Fact]
    public void Compose_file_has_postgres_and_api_services()
    {
        Assert.Equal(["postgres", "api"], Compose.Keys("services"));
    }

    [Fact]
    public void Api_waits_for_a_healthy_postgres_and_publishes_8080()
    {
        Assert.Equal("service_healthy", Api.Str("depends_on", "postgres", "condition"));
        Assert.NotEmpty(Compose.Strings("services", "postgres", "healthcheck", "test"));
        Assert.Contains(Api.Strings("ports"), p => p.EndsWith(":8080", StringComparison.Ordinal));
        Assert.Contains("Host=postgres;", Api.Str("environment", "ConnectionStrings__Comp"));
    }

    [Fact]
    public void Api_builds_deploy_dockerfile_from_the_repository_root()
    {
        var context = Path.GetFullPath(Path.Combine(Repo.Deploy, Api.Str("build", "context")!));

        Assert.Equal(Path.TrimEndingDirectorySeparator(Repo.Root), Path.TrimEndingDirectorySeparator(context));
        Assert.True(File.Exists(Path.Combine(context, Api.Str("build", "dockerfile")!)));
    }

    [Fact]
    public void Api_runs_as_the_kubernetes_deployment_runs_it()
    {
        var pod = Assert.Single(Repo.K8sResource("Deployment").Items("spec", "template", "spec", "containers"));

        Assert.Equal("true", pod.Str("securityContext", "readOnlyRootFilesystem"));
        Assert.Equal("true", Api.Str("read_only"));
        Assert.Contains(pod.Items("volumeMounts"), m => m.Str("mountPath") == "/tmp");
        Assert.Equal(["/tmp"], Api.Strings("tmpfs"));
        Assert.Equal(["ALL"], pod.Strings("securityContext", "capabilities", "drop"));
        Assert.Equal(["ALL"], Api.Strings("cap_drop"));
        Assert.Equal("false", pod.Str("securityContext", "allowPrivilegeEscalation"));
        Assert.Contains("no-new-privileges:true", Api.Strings("security_opt"));
    }

    [Fact]
    public void Demo_data_is_off_unless_asked_for()
    {
        Assert.Equal("${COMP_DEMO:-false}", Api.Str("environment", "Demo__Load"));
    }
}
