using System.Text;
using Skylark.Events.State;

namespace Skylark.Events.Tests.State;

public class BundleItemsTests
{
    private sealed record Counts(int Frames, string Label);

    [Fact]
    public void Builders_store_strings_as_utf8_json_as_utf8_json_and_bytes_as_given()
    {
        var items = BundleItems.CreateBuilder()
            .Add("label", "größe")
            .AddJson("counts", new Counts(3, "cat"))
            .Add("raw", new byte[] { 0, 255, 7 })
            .Build();

        Assert.Equal("größe", items.GetString("label"));
        Assert.Equal(Encoding.UTF8.GetBytes("größe"), items["label"].ToArray());
        Assert.Equal(new Counts(3, "cat"), items.GetJson<Counts>("counts"));
        Assert.Equal(new byte[] { 0, 255, 7 }, items["raw"].ToArray());
    }

    [Fact]
    public void Size_counts_utf8_names_and_values()
    {
        var items = BundleItems.CreateBuilder().Add("ä", new byte[10]).Add("b", "xyz").Build();

        Assert.Equal(2 + 10 + 1 + 3, items.SizeBytes);
    }

    [Fact]
    public void Items_are_copies_so_reusing_a_buffer_does_not_change_them()
    {
        var buffer = new byte[] { 1, 2, 3 };
        var items = BundleItems.CreateBuilder().Add("a", buffer).Build();

        buffer[0] = 99;

        Assert.Equal(1, items["a"].Span[0]);
    }

    [Theory]
    [InlineData("_v", "reserved")]
    [InlineData("_anything", "reserved")]
    [InlineData("", "empty")]
    [InlineData("line\nbreak", "control character")]
    public void Invalid_item_names_are_rejected_with_the_reason(string name, string reason)
    {
        var error = Assert.Throws<ArgumentException>(() => BundleItems.CreateBuilder().Add(name, "x"));

        Assert.Contains(reason, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_name_longer_than_the_limit_is_rejected()
    {
        var error = Assert.Throws<ArgumentException>(() => BundleItems.CreateBuilder().Add(new string('n', BundleItems.MaxNameLength + 1), "x"));

        Assert.Contains("longer than", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Adding_a_name_twice_is_an_error()
    {
        var builder = BundleItems.CreateBuilder().Add("a", "1");

        var error = Assert.Throws<ArgumentException>(() => builder.Add("a", "2"));

        Assert.Contains("twice", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Plain_dictionaries_are_validated_when_converted()
    {
        var plain = new Dictionary<string, ReadOnlyMemory<byte>> { ["_n"] = new byte[1] };

        Assert.Throws<ArgumentException>(() => BundleItems.From(plain));
    }

    [Fact]
    public void A_missing_item_names_the_items_that_exist()
    {
        var items = BundleItems.CreateBuilder().Add("a", "1").Add("b", "2").Build();

        var error = Assert.Throws<KeyNotFoundException>(() => items["c"]);

        Assert.Contains("a, b", error.Message, StringComparison.Ordinal);
    }
}
