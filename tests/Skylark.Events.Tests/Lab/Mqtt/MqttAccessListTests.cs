using Skylark.Events.Lab.Mqtt;

namespace Skylark.Events.Tests.Lab.Mqtt;

public class MqttAccessListTests
{
    private static readonly MqttAccessList Access = MqttAccessList.WithServices();

    [Theory]
    [InlineData("skylark-ingest", "cameras/#", true)]
    [InlineData("skylark-ingest", "cameras/+/frames", true)]
    [InlineData("skylark-ingest", "$share/ingest/cameras/#", true)]
    [InlineData("skylark-ingest", "#", false)]
    [InlineData("skylark-ingest", "+/cam-1/frames", false)]
    [InlineData("skylark-ingest", "alarms/#", false)]
    [InlineData("operator", "alarms/#", true)]
    [InlineData("operator", "alarms", true)]
    [InlineData("operator", "alarms/cam-1", true)]
    [InlineData("operator", "skylark/deadletter/+", true)]
    [InlineData("operator", "skylark/#", false)]
    [InlineData("operator", "cameras/cam-1/frames", false)]
    [InlineData("operator", "$share/ops/#", false)]
    [InlineData("skylark-alarm", "alarms/#", false)]
    public void A_subscription_is_allowed_only_when_every_topic_it_matches_is_readable(string user, string filter, bool allowed) =>
        Assert.Equal(allowed, MqttAccessList.MaySubscribe(Access[user], filter));

    [Theory]
    [InlineData("cam-1", "cameras/cam-1/frames", true)]
    [InlineData("cam-1", "cameras/cam-1/events", true)]
    [InlineData("cam-1", "cameras/cam-2/frames", false)]
    [InlineData("cam-1", "cameras/cam-10/frames", false)]
    [InlineData("cam-1", "skylark/deadletter/cam-1", false)]
    [InlineData("skylark-ingest", "skylark/deadletter/cam-1", true)]
    [InlineData("skylark-ingest", "cameras/cam-1/frames", false)]
    [InlineData("skylark-alarm", "alarms/cam-1", true)]
    [InlineData("operator", "alarms/cam-1", false)]
    public void A_publish_is_allowed_only_within_the_user_s_topics(string user, string topic, bool allowed)
    {
        var access = MqttAccessList.WithServices();
        access.Camera("cam-1");

        Assert.Equal(allowed, MqttAccessList.MayPublish(access[user], topic));
    }

    [Fact]
    public void Passwords_are_random_per_list_and_checked_exactly()
    {
        var one = MqttAccessList.WithServices();
        var other = MqttAccessList.WithServices();
        var user = one[MqttAccessList.OperatorUser];

        Assert.NotEqual(user.Password, other[MqttAccessList.OperatorUser].Password);
        Assert.True(user.Password.Length >= 32);
        Assert.Same(user, one.Authenticate(user.Name, System.Text.Encoding.UTF8.GetBytes(user.Password)));
        Assert.Null(one.Authenticate(user.Name, System.Text.Encoding.UTF8.GetBytes(user.Password + "x")));
        Assert.Null(one.Authenticate(null, []));
        Assert.DoesNotContain(user.Password, user.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_camera_id_must_be_a_valid_topic_level_and_may_not_take_a_service_s_name()
    {
        var access = MqttAccessList.WithServices();

        Assert.Throws<ArgumentException>(() => access.Camera("cam/1"));
        Assert.Throws<ArgumentException>(() => access.Camera("cam+"));
        Assert.Throws<ArgumentException>(() => access.Camera(MqttAccessList.IngestUser));
        Assert.Same(access.Camera("cam-1"), access.Camera("cam-1"));
    }

    [Fact]
    public void The_mosquitto_acl_file_gives_each_user_the_same_topics()
    {
        var access = MqttAccessList.WithServices();
        access.Camera("cam-1");

        var acl = MosquittoFiles.AclFile(access);

        Assert.Contains("user cam-1\ntopic write cameras/cam-1/#\n", acl, StringComparison.Ordinal);
        Assert.Contains("user skylark-ingest\ntopic write skylark/deadletter/#\ntopic read cameras/#\n", acl, StringComparison.Ordinal);
        Assert.Contains("user skylark-alarm\ntopic write alarms/#\n", acl, StringComparison.Ordinal);
        Assert.Contains("user operator\ntopic read alarms/#\ntopic read skylark/deadletter/#\n", acl, StringComparison.Ordinal);
        Assert.DoesNotContain("pattern", acl, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_files_are_written_readable_by_their_owner_only()
    {
        var directory = Directory.CreateTempSubdirectory("skylark-mqtt-files-");
        try
        {
            var passwords = Path.Combine(directory.FullName, "passwd");
            var acl = Path.Combine(directory.FullName, "acl");

            await MosquittoFiles.WriteAsync(MqttAccessList.WithServices(), passwords, acl);

            var lines = await File.ReadAllLinesAsync(passwords);
            Assert.Equal(3, lines.Length);
            Assert.All(lines, line => Assert.Matches(@"^[a-z-]+:\$7\$101\$[A-Za-z0-9+/]{16}\$[A-Za-z0-9+/]{86}==$", line));
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(passwords));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(acl));
            }
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }
}
