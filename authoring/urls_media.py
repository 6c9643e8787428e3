"""The media library's pages and the asset file route (included at media-library/, without a
namespace: `asset-file` is reversed by that plain name across the app)."""

from django.urls import path

from authoring import views_media

urlpatterns = [
    path("", views_media.library, name="media-library"),
    path("upload/", views_media.upload, name="media-upload"),
    path("picker/", views_media.picker, name="media-picker"),
    path("<uuid:asset_uuid>/", views_media.detail, name="media-detail"),
    path("<uuid:asset_uuid>/replace/", views_media.replace, name="media-replace"),
    path("<uuid:asset_uuid>/file/", views_media.asset_file, name="asset-file"),
]
