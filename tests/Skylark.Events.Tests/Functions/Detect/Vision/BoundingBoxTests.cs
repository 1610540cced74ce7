using Skylark.Events.Functions.Detect.Vision;

namespace Skylark.Events.Tests.Functions.Detect.Vision;

public class BoundingBoxTests
{
    [Fact]
    public void Intersection_over_union_of_identical_boxes_is_one()
    {
        var box = new BoundingBox(10, 20, 30, 40);

        Assert.Equal(1.0, box.IntersectionOverUnion(box));
    }

    [Fact]
    public void Intersection_over_union_of_half_overlapping_boxes_is_one_third()
    {
        var left = new BoundingBox(0, 0, 20, 10);
        var right = new BoundingBox(10, 0, 20, 10);

        Assert.Equal(100.0 / 300.0, left.IntersectionOverUnion(right), precision: 12);
    }

    [Fact]
    public void Disjoint_and_touching_boxes_do_not_overlap()
    {
        var box = new BoundingBox(0, 0, 10, 10);

        Assert.Equal(0, box.IntersectionOverUnion(new BoundingBox(10, 0, 10, 10)));
        Assert.Equal(0, box.IntersectionOverUnion(new BoundingBox(50, 50, 10, 10)));
        Assert.Equal(0, box.IntersectionOverUnion(new BoundingBox(0, 0, 0, 0)));
    }

    [Fact]
    public void Scaling_moves_the_edges_so_halving_a_box_halves_its_position_and_size()
    {
        Assert.Equal(new BoundingBox(50, 25, 10, 20), new BoundingBox(100, 50, 20, 40).Scale(0.5, 0.5));
        // Edges 5..10 and 3..6 become 2.5..5 and 1.5..3, rounded half away from zero.
        Assert.Equal(new BoundingBox(3, 2, 2, 1), new BoundingBox(5, 3, 5, 3).Scale(0.5, 0.5));
    }

    [Fact]
    public void A_negative_size_is_rejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new BoundingBox(0, 0, -1, 5));
    }
}
