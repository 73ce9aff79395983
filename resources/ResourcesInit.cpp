// The icons are compiled into skydeck_resources through qt_add_resources (object library, linked
// and registered automatically). This file gives the static library a translation unit.
namespace skydeck::resources {
int iconsVersion()
{
    return 1;
}
} // namespace skydeck::resources
