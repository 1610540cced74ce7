using Skylark.Events.Lab.Up;

namespace Skylark.Events.Tests.Lab.Up;

/// <summary>The endpoints file holds every node's Redis password, so only the user running <c>skylark up</c> may read it.</summary>
public sealed class EndpointsFileTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("skylark-endpoints-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task The_file_is_created_0600_and_reads_back_what_was_written()
    {
        var path = Path.Combine(folder, "endpoints.json");
        var endpoints = new EndpointsFile(
            new Uri("http://127.0.0.1:8080/"),
            new Dictionary<string, NodeEndpoints> { ["edge"] = new("127.0.0.1:6379", "secret", new Uri("http://127.0.0.1:8081/")) })
        {
            Dashboard = new Uri("http://127.0.0.1:8090/"),
        };

        await endpoints.WriteAsync(path, CancellationToken.None);
        var read = await EndpointsFile.ReadAsync(path, CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
        Assert.Equal("secret", read.Nodes["edge"].RedisPassword);
        Assert.Equal(new Uri("http://127.0.0.1:8090/"), read.Dashboard);
        Assert.Contains("\"dashboard\": \"http://127.0.0.1:8090/\"", await File.ReadAllTextAsync(path), StringComparison.Ordinal);
    }

    [Fact]
    [System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
    public async Task Writing_over_a_file_others_could_read_leaves_one_only_its_owner_can()
    {
        var path = Path.Combine(folder, "endpoints.json");
        await File.WriteAllTextAsync(path, "{}");
        File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
        var endpoints = new EndpointsFile(new Uri("http://127.0.0.1:8080/"), new Dictionary<string, NodeEndpoints>());

        await endpoints.WriteAsync(path, CancellationToken.None);

        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(path));
    }
}
