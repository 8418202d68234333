package org.sdcdocker.agent.zone;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.SSLSocketFactory;
import org.sdcdocker.protocol.DockerException;

/**
 * Fetches one URL volume's file: HTTP/1.1 GET over a connection this class makes itself, so that
 * the address it connects to is the address {@link UrlPolicy} checked (the name is resolved once;
 * nothing resolves it again between the check and the connection). Redirects are followed by hand,
 * each target checked the same way; https verifies the server's certificate for the URL's host. The
 * body is bounded in size and the whole fetch in time. Every refusal is a Docker "invalid
 * parameter" error that says why.
 */
final class UrlFetch {
  private static final int MAX_REDIRECTS = 5;
  private static final int MAX_HEAD = 64 << 10;

  private final UrlPolicy policy;
  private final long maxBytes;
  private final long timeoutMs;

  UrlFetch(UrlPolicy policy, long maxBytes, long timeoutMs) {
    this.policy = policy;
    this.maxBytes = maxBytes;
    this.timeoutMs = timeoutMs;
  }

  /** Fetches {@code url} into {@code file} (replaced); the URL as given names every error. */
  void fetch(String url, Path file) throws IOException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    URI at = parse(url, url);
    for (int hop = 0; ; hop++) {
      InetAddress addr = checked(url, at);
      int port = at.getPort() > 0 ? at.getPort() : at.getScheme().equals("https") ? 443 : 80;
      try (Socket s = connect(url, at, addr, port, deadline)) {
        OutputStream out = s.getOutputStream();
        String path = at.getRawPath() == null || at.getRawPath().isEmpty() ? "/" : at.getRawPath();
        if (at.getRawQuery() != null) {
          path += "?" + at.getRawQuery();
        }
        String host = at.getHost() + (at.getPort() > 0 ? ":" + at.getPort() : "");
        out.write(
            ("GET "
                    + path
                    + " HTTP/1.1\r\nHost: "
                    + host
                    + "\r\nUser-Agent: sdc-docker\r\nAccept: */*\r\nConnection: close\r\n\r\n")
                .getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
        InputStream in = new Deadline(new BufferedInputStream(s.getInputStream()), s, deadline);
        int status = status(url, line(in));
        Map<String, String> headers = new TreeMap<>(String.CASE_INSENSITIVE_ORDER);
        int headBytes = 0;
        for (String h = line(in); !h.isEmpty(); h = line(in)) {
          headBytes += h.length();
          int colon = h.indexOf(':');
          if (headBytes > MAX_HEAD || colon <= 0) {
            throw refused(url, "the server's answer is not HTTP");
          }
          headers.put(h.substring(0, colon).trim(), h.substring(colon + 1).trim());
        }
        if (List.of(301, 302, 303, 307, 308).contains(status)) {
          String location = headers.get("Location");
          if (location == null || hop == MAX_REDIRECTS) {
            throw refused(
                url,
                location == null
                    ? "a redirect without a Location"
                    : "more than " + MAX_REDIRECTS + " redirects");
          }
          at = parse(url, at.resolve(location.trim()).toString());
          continue;
        }
        if (status != 200) {
          throw refused(url, "the server answered " + status);
        }
        body(url, in, headers, file);
        return;
      } catch (SocketTimeoutException e) {
        throw refused(url, "no answer within " + (timeoutMs + 999) / 1000 + " s");
      }
    }
  }

  private static URI parse(String url, String s) {
    try {
      URI u = new URI(s);
      String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
      if (!scheme.equals("http") && !scheme.equals("https")) {
        throw refused(url, "only http and https URLs can be fetched");
      }
      if (u.getHost() == null || u.getRawUserInfo() != null) {
        throw refused(url, "the URL needs a host (and no user)");
      }
      return new URI(scheme, null, u.getHost(), u.getPort(), u.getPath(), u.getQuery(), null);
    } catch (URISyntaxException e) {
      throw refused(url, "not a URL");
    }
  }

  /** The address to connect to: the first of the host's that the policy allows. */
  private InetAddress checked(String url, URI at) {
    InetAddress[] all;
    try {
      String h = at.getHost();
      all = InetAddress.getAllByName(h.startsWith("[") ? h.substring(1, h.length() - 1) : h);
    } catch (UnknownHostException e) {
      throw refused(url, "unknown host " + at.getHost());
    }
    String why = null;
    for (InetAddress a : all) {
      String r = policy.refusal(a);
      if (r == null) {
        return a;
      }
      why = why == null ? a.getHostAddress() + " is " + r : why;
    }
    throw refused(
        url,
        why
            + ": URL volumes are fetched only from public addresses and those the operator allows"
            + " (--url-volume-allow)");
  }

  private Socket connect(String url, URI at, InetAddress addr, int port, long deadline)
      throws IOException {
    Socket s = new Socket();
    try {
      s.connect(new InetSocketAddress(addr, port), (int) Math.max(1, remaining(deadline)));
      s.setSoTimeout((int) Math.max(1, remaining(deadline)));
      if (!at.getScheme().equals("https")) {
        return s;
      }
      SSLSocket tls =
          (SSLSocket)
              ((SSLSocketFactory) SSLSocketFactory.getDefault())
                  .createSocket(s, at.getHost(), port, true);
      SSLParameters p = tls.getSSLParameters();
      p.setEndpointIdentificationAlgorithm("HTTPS"); // the certificate must name the URL's host
      if (!at.getHost().matches("[0-9.:\\[\\]a-fA-F]+")) {
        p.setServerNames(List.of(new SNIHostName(at.getHost())));
      }
      tls.setSSLParameters(p);
      tls.startHandshake();
      return tls;
    } catch (SocketTimeoutException e) {
      s.close();
      throw e;
    } catch (IOException e) {
      s.close();
      throw refused(url, "cannot connect to " + addr.getHostAddress() + ": " + e.getMessage());
    }
  }

  private void body(String url, InputStream in, Map<String, String> headers, Path file)
      throws IOException {
    String length = headers.get("Content-Length");
    boolean chunked =
        headers.getOrDefault("Transfer-Encoding", "").toLowerCase(Locale.ROOT).contains("chunked");
    long declared = -1;
    if (!chunked && length != null) {
      try {
        declared = Long.parseLong(length);
      } catch (NumberFormatException e) {
        throw refused(url, "the server's answer is not HTTP");
      }
      if (declared > maxBytes) {
        throw tooLarge(url);
      }
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".part");
    try (OutputStream out = Files.newOutputStream(tmp)) {
      long total = 0;
      byte[] buf = new byte[64 << 10];
      if (chunked) {
        for (long size = chunkSize(url, in); size > 0; size = chunkSize(url, in)) {
          total += size;
          if (total > maxBytes) {
            throw tooLarge(url);
          }
          copy(url, in, out, buf, size);
          line(in); // the CRLF after the chunk
        }
      } else {
        long want = declared < 0 ? Long.MAX_VALUE : declared;
        while (total < want) {
          int n = in.read(buf, 0, (int) Math.min(buf.length, want - total));
          if (n < 0) {
            if (declared >= 0) {
              throw refused(url, "the server closed the connection early");
            }
            break;
          }
          total += n;
          if (total > maxBytes) {
            throw tooLarge(url);
          }
          out.write(buf, 0, n);
        }
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
  }

  private static void copy(String url, InputStream in, OutputStream out, byte[] buf, long size)
      throws IOException {
    long left = size;
    while (left > 0) {
      int n = in.read(buf, 0, (int) Math.min(buf.length, left));
      if (n < 0) {
        throw refused(url, "the server closed the connection early");
      }
      out.write(buf, 0, n);
      left -= n;
    }
  }

  private static long chunkSize(String url, InputStream in) throws IOException {
    String l = line(in);
    int semi = l.indexOf(';');
    try {
      long n = Long.parseLong((semi < 0 ? l : l.substring(0, semi)).trim(), 16);
      if (n < 0) {
        throw new NumberFormatException();
      }
      if (n == 0) { // the trailer, up to its empty line
        for (String t = line(in); !t.isEmpty(); t = line(in)) {
          // trailers are not used
        }
      }
      return n;
    } catch (NumberFormatException e) {
      throw refused(url, "the server's answer is not HTTP");
    }
  }

  private static int status(String url, String line) {
    String[] f = line.split(" ", 3);
    if (f.length < 2 || !f[0].startsWith("HTTP/1.")) {
      throw refused(url, "the server's answer is not HTTP");
    }
    try {
      return Integer.parseInt(f[1]);
    } catch (NumberFormatException e) {
      throw refused(url, "the server's answer is not HTTP");
    }
  }

  /** One CRLF- (or LF-) ended line, at most 8 KiB. */
  private static String line(InputStream in) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    for (int c = in.read(); c != '\n'; c = in.read()) {
      if (c < 0) {
        throw new IOException("the server closed the connection early");
      }
      if (b.size() > 8192) {
        throw new IOException("a line of the server's answer is too long");
      }
      if (c != '\r') {
        b.write(c);
      }
    }
    return b.toString(StandardCharsets.ISO_8859_1);
  }

  private static long remaining(long deadline) {
    return (deadline - System.nanoTime()) / 1_000_000;
  }

  private DockerException tooLarge(String url) {
    return refused(url, "larger than " + (maxBytes >> 20) + " MiB");
  }

  private static DockerException refused(String url, String why) {
    return DockerException.invalid("fetching host volume %s: %s", url, why);
  }

  /** Reads that give up once the fetch's time is over, however slowly the bytes come. */
  private static final class Deadline extends InputStream {
    private final InputStream in;
    private final Socket socket;
    private final long deadline;

    Deadline(InputStream in, Socket socket, long deadline) {
      this.in = in;
      this.socket = socket;
      this.deadline = deadline;
    }

    private void arm() throws IOException {
      long left = remaining(deadline);
      if (left <= 0) {
        throw new SocketTimeoutException();
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, left));
    }

    @Override
    public int read() throws IOException {
      arm();
      return in.read();
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      arm();
      return in.read(b, off, len);
    }
  }
}
